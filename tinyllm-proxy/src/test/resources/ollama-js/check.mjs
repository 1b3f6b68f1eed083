// Runs the same calls of Ollama's official JavaScript client (npm package `ollama`) straight
// against a server and through the proxy, and prints SAME or DIFF for each, timings aside.
// Usage: node check.mjs DIRECT_URL PROXY_URL
import { Ollama } from 'ollama';
const [direct, proxied] = process.argv.slice(2).map(host => new Ollama({ host }));
const strip = o => JSON.parse(JSON.stringify(o, (k, v) =>
  (k === 'created_at' || k.endsWith('_duration') || k === 'modified_at' || k === 'expires_at') ? undefined : v));
async function both(name, f) {
  let a, b;
  try { a = strip(await f(direct)); } catch (e) { a = { error: String(e.message), status: e.status_code }; }
  try { b = strip(await f(proxied)); } catch (e) { b = { error: String(e.message), status: e.status_code }; }
  const same = JSON.stringify(a) === JSON.stringify(b);
  console.log((same ? 'SAME ' : 'DIFF ') + name + (same ? '' : '\n  direct ' + JSON.stringify(a).slice(0, 300) + '\n  proxy  ' + JSON.stringify(b).slice(0, 300)));
  return a;
}
// what a call gave, for the calls whose success (not only sameness) is checked
const value = (name, v) => console.log('VALUE ' + name + ' ' + JSON.stringify(v));
const collect = async it => { const parts = []; for await (const p of it) parts.push(p); return parts; };
await both('list', c => c.list());
await both('generate', c => c.generate({ model: 'qwen2.5:0.5b', prompt: 'Why is the sky blue?' }));
await both('generate stream', async c => collect(await c.generate({ model: 'qwen2.5:0.5b', prompt: 'Why is the sky blue?', stream: true })));
await both('chat stream', async c => collect(await c.chat({ model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'Hi' }], stream: true })));
await both('embed', c => c.embed({ model: 'nomic-embed-text', input: ['a', 'b'] }));
await both('show', c => c.show({ model: 'qwen2.5:0.5b' }));
await both('missing model', c => c.generate({ model: 'nope', prompt: 'x' }));
const tools = await both('tools', c => c.chat({ model: 'qwen2.5:0.5b', messages: [{ role: 'user', content: 'What is the weather in Tokyo?' }],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }] }));
await both('copy', c => c.copy({ source: 'qwen2.5:0.5b', destination: 'qwen-copy:latest' }));
await both('create', c => c.create({ model: 'terse:latest', from: 'qwen2.5:0.5b', system: 'Answer in one word.', stream: false }));
await both('show created', c => c.show({ model: 'terse' }).then(r => ({ system: r.system, family: r.details.family })));
const six = await both('six at once', async c => (await Promise.all([1, 2, 3, 4, 5, 6].map(i =>
  c.generate({ model: 'qwen2.5:0.5b', prompt: 'Count to ' + i })))).map(r => r.done));
value('tools', tools.message.tool_calls.map(t => [t.function.name, t.function.arguments]));
value('six at once', six);
await both('abort mid-stream', async c => {
  const s = await c.generate({ model: 'qwen2.5:0.5b', prompt: 'Why is the sky blue?', stream: true });
  let n = 0; for await (const p of s) { if (++n === 2) s.abort(); } return n;
});

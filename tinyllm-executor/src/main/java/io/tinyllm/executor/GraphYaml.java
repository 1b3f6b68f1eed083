package io.tinyllm.executor;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Composes a graph file's YAML to SnakeYAML nodes within bounds.
 *
 * <p>SnakeYAML caps the number of aliases ({@value #MAX_ALIASES}) but not what they expand to: each
 * alias shares its anchor's node, so 16 levels of {@code [*c, *c, *c]} compose to a few dozen nodes
 * but expand to 43 million values when the graph is read, exported or walked. Composing here
 * counts, event by event, how many values (scalars, lists and mappings) and how many characters of
 * scalar text the document holds once every alias is expanded, and stops at the alias (or value)
 * that crosses {@value #MAX_VALUES} values or {@value #MAX_TEXT} characters, naming its line. Every
 * later walk of the nodes is then bounded by these two numbers.
 *
 * <p>It also refuses an alias inside the collection it names ({@code &m {self: *m}}), which would
 * compose to a node containing itself, more than {@value #MAX_ALIASES} aliases to collections, and
 * values nested more than {@value #MAX_DEPTH} deep, each with its line (SnakeYAML's own checks of
 * the last two name none).
 */
final class GraphYaml {
  static final int MAX_VALUES = 100_000;
  static final int MAX_TEXT = 4 << 20;
  static final int MAX_ALIASES = 50;
  static final int MAX_DEPTH = 50;

  private GraphYaml() {}

  /** The document's root node, or null when it is empty; problems throw. */
  static Node compose(String fileName, String yaml) {
    LoaderOptions options = new LoaderOptions();
    // the same bounds are checked first by ExpansionBudget, whose errors name the line
    options.setMaxAliasesForCollections(MAX_ALIASES + 1);
    options.setNestingDepthLimit(MAX_DEPTH + 1);
    options.setCodePointLimit(GraphText.MAX_BYTES);
    // SnakeYAML checks duplicate keys when constructing objects, never when composing nodes:
    // GraphLoader checks them itself
    Parser parser =
        new ExpansionBudget(
            fileName, new ParserImpl(new StreamReader(new StringReader(yaml)), options));
    return new Composer(parser, new Resolver(), options).getSingleNode();
  }

  /** Counts what the events expand to and throws when that crosses a bound. */
  private static final class ExpansionBudget implements Parser {
    /** What an anchored value expands to. */
    private record Size(long values, long text, boolean collection) {}

    /** An anchored collection still being read: an alias to it would be recursive. */
    private static final Size OPEN = new Size(-1, -1, true);

    private record Start(String anchor, long values, long text) {}

    private final String file;
    private final Parser parser;
    private final Map<String, Size> anchors = new HashMap<>();
    private final Deque<Start> open = new ArrayDeque<>();
    private long values;
    private long text;
    private int collectionAliases;

    ExpansionBudget(String file, Parser parser) {
      this.file = file;
      this.parser = parser;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
      return parser.checkEvent(choice);
    }

    @Override
    public Event peekEvent() {
      return parser.peekEvent();
    }

    @Override
    public Event getEvent() {
      Event event = parser.getEvent();
      if (event instanceof ScalarEvent scalar) {
        add(1, scalar.getValue().length(), event, null);
        if (scalar.getAnchor() != null) {
          anchors.put(scalar.getAnchor(), new Size(1, scalar.getValue().length(), false));
        }
      } else if (event instanceof CollectionStartEvent start) {
        if (open.size() == MAX_DEPTH) {
          throw problem(event, "values nest more than " + MAX_DEPTH + " deep; that is the limit");
        }
        open.push(new Start(start.getAnchor(), values, text));
        if (start.getAnchor() != null) {
          anchors.put(start.getAnchor(), OPEN);
        }
        add(1, 0, event, null);
      } else if (event instanceof CollectionEndEvent && !open.isEmpty()) {
        Start start = open.pop();
        if (start.anchor() != null) {
          anchors.put(start.anchor(), new Size(values - start.values(), text - start.text(), true));
        }
      } else if (event instanceof AliasEvent alias) {
        Size size = anchors.get(alias.getAnchor());
        if (size == OPEN) {
          throw problem(
              event,
              "alias *"
                  + alias.getAnchor()
                  + " is inside the value it names, so it would contain itself; recursive"
                  + " aliases are not allowed");
        }
        if (size != null && size.collection() && ++collectionAliases > MAX_ALIASES) {
          throw problem(
              event,
              "alias *"
                  + alias.getAnchor()
                  + " is the graph's alias number "
                  + collectionAliases
                  + " to a list or mapping; the limit is "
                  + MAX_ALIASES);
        }
        // an undefined alias is left to the composer, which reports it
        if (size != null) {
          add(size.values(), size.text(), event, alias.getAnchor());
        }
      }
      return event;
    }

    private void add(long moreValues, long moreText, Event event, String alias) {
      values += moreValues;
      text += moreText;
      String what = alias == null ? "this value" : "alias *" + alias;
      if (values > MAX_VALUES) {
        throw problem(
            event,
            what
                + " takes the graph past "
                + MAX_VALUES
                + " values with its aliases expanded; that is the limit");
      }
      if (text > MAX_TEXT) {
        throw problem(
            event,
            what
                + " takes the graph past "
                + MAX_TEXT
                + " characters of text with its aliases expanded; that is the limit");
      }
    }

    private GraphValidationException problem(Event event, String message) {
      int line = event.getStartMark() == null ? 0 : event.getStartMark().getLine() + 1;
      return new GraphValidationException(
          file,
          List.of(new ValidationError(new SourceLocation(file, line), null, "(yaml)", message)));
    }
  }
}

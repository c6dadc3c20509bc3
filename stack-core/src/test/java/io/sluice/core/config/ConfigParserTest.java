package io.sluice.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigParserTest {

    private static ConfigDocument parse(String text) {
        return ConfigParser.parse("t.conf", text);
    }

    private static String error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text)).getMessage();
    }

    /** The document with positions dropped: section names and nested words and blocks. */
    private static List<Object> shape(ConfigDocument document) {
        List<Object> shape = new ArrayList<>();
        for (ConfigSection section : document.sections()) {
            shape.add(section.name());
            shape.add(shape(section.body()));
        }
        return shape;
    }

    private static List<Object> shape(ConfigBlock block) {
        List<Object> shape = new ArrayList<>();
        for (ConfigItem item : block.items()) {
            shape.add(item instanceof ConfigWord w ? w.text() : shape((ConfigBlock) item));
        }
        return shape;
    }

    @Test
    void oneLineAndMultiLineFormsAreEqual() {
        ConfigDocument one = parse("unix { nodaemon cli-listen /run/vpp/cli.sock } dpdk { dev 0000:02:00.0 "
                + "{ num-rx-queues 2 } }");
        ConfigDocument many = parse("""
                unix {
                  nodaemon
                  cli-listen /run/vpp/cli.sock
                }
                dpdk {
                  dev 0000:02:00.0 {
                    num-rx-queues 2
                  }
                }
                """);
        assertEquals(shape(one), shape(many));
        assertEquals(List.of("unix", List.of("nodaemon", "cli-listen", "/run/vpp/cli.sock"),
                "dpdk", List.of("dev", "0000:02:00.0", List.of("num-rx-queues", "2"))), shape(many));
        assertEquals(StackConfig.parse("a", "unix { nodaemon cli-listen /run/vpp/cli.sock gid vpp }"),
                StackConfig.parse("a", "unix {\n  nodaemon\n  cli-listen /run/vpp/cli.sock\n  gid vpp\n}\n"));
    }

    @Test
    void positionsAreRemembered() {
        ConfigDocument doc = parse("\n  unix {\n    cli-listen  /x\n  }\n");
        ConfigSection unix = doc.sections().getFirst();
        assertEquals(2, unix.line());
        assertEquals(3, unix.column());
        assertEquals(2, unix.body().line());
        assertEquals(8, unix.body().column());
        ConfigWord value = (ConfigWord) unix.body().items().get(1);
        assertEquals(3, value.line());
        assertEquals(17, value.column());
    }

    @Test
    void commentsRunToTheEndOfTheLine() {
        ConfigDocument doc = parse("# header\nvcl { # open\n  use-mq-eventfd # } not a brace\n  a#b\n} # end");
        assertEquals(List.of("vcl", List.of("use-mq-eventfd", "a#b")), shape(doc));
    }

    @Test
    void bracesGluedToWords() {
        assertEquals(List.of("dpdk", List.of("dev", "x", List.of("a", "1"))), shape(parse("dpdk{dev x{a 1}}")));
    }

    @Test
    void repeatedSectionsAndKeysKeepTheirOrder() {
        ConfigDocument doc = parse("tap { a 1 } dpdk { dev x dev y } tap { a 2 }");
        assertEquals(List.of("tap", List.of("a", "1"), "dpdk", List.of("dev", "x", "dev", "y"), "tap",
                List.of("a", "2")), shape(doc));
        assertEquals(2, doc.sections("tap").size());
    }

    @Test
    void quotedWords() {
        ConfigDocument doc = parse("unix { log \"/tmp/a b{#}.log\" x \"say \\\"hi\\\" \\\\\" }");
        List<ConfigItem> items = doc.sections().getFirst().body().items();
        ConfigWord path = assertInstanceOf(ConfigWord.class, items.get(1));
        assertEquals("/tmp/a b{#}.log", path.text());
        assertEquals(true, path.quoted());
        assertEquals("say \"hi\" \\", ((ConfigWord) items.get(3)).text());
    }

    @Test
    void emptyInputsAreEmptyDocuments() {
        assertEquals(List.of(), parse("").sections());
        assertEquals(List.of(), parse("  \n# only a comment\r\n\t").sections());
        assertEquals(List.of("vcl", List.of()), shape(parse("vcl {}")));
    }

    @Test
    void unclosedBraceNamesTheLineOfTheOpeningBrace() {
        assertEquals("t.conf:2: '{' of section 'unix' is never closed (end of file reached)",
                error("\nunix {\n nodaemon\n\n"));
        assertEquals("t.conf:3: '{' of section 'cpu' is never closed (end of file reached)",
                error("unix { nodaemon }\n\ncpu {\n  main-core 1\nbuffers {\n  buffers-per-numa 1\n}\n"));
    }

    @Test
    void unclosedNestedBraceReportsTheOutermost() {
        assertEquals("t.conf:1: '{' of section 'dpdk' is never closed (end of file reached with 2 blocks open)",
                error("dpdk {\n dev x {\n  a 1\n"));
        assertEquals("t.conf:1: '{' of section 'dpdk' is never closed (end of file reached)",
                error("dpdk {\n dev x {\n  a 1\n }\n"));
    }

    @Test
    void unmatchedClosingBrace() {
        assertEquals("t.conf:3: unmatched '}'", error("vcl {\n}\n}\n"));
    }

    @Test
    void sectionNameMustBeFollowedByABrace() {
        assertEquals("t.conf:1: expected '{' after section name 'unix', found 'nodaemon'", error("unix nodaemon"));
        assertEquals("t.conf:1: expected '{' after section name 'unix', found end of file", error("unix"));
        assertEquals("t.conf:2: expected '{' after section name 'unix', found '}'", error("unix\n}"));
    }

    @Test
    void braceWithoutName() {
        assertEquals("t.conf:1: expected a section name before '{'", error("{ a }"));
        assertEquals("t.conf:2: unexpected '{' in section 'dpdk': a nested block must follow a name",
                error("dpdk {\n{ a }\n}"));
        assertEquals("t.conf:1: unexpected '{' in section 'dpdk': a nested block must follow a name",
                error("dpdk { dev x { } { } }"));
        assertEquals("t.conf:2: unexpected '{' in the block after 'x' in section 'dpdk': a nested block must "
                + "follow a name",
                error("dpdk { dev x {\n { } } }"));
    }

    @Test
    void nestingIsBounded() {
        String deep = "a {" + " b {".repeat(ConfigParser.MAX_DEPTH) + " }".repeat(ConfigParser.MAX_DEPTH + 1);
        assertEquals("t.conf:1: blocks nested deeper than " + ConfigParser.MAX_DEPTH, error(deep));
        String fine = "a {" + " b {".repeat(ConfigParser.MAX_DEPTH - 1) + " }".repeat(ConfigParser.MAX_DEPTH);
        assertEquals(1, parse(fine).sections().size());
    }

    @Test
    void unterminatedQuote() {
        assertEquals("t.conf:2: unterminated quoted string (a quoted string must end on its line)",
                error("unix {\n log \"/tmp/x\n}\n"));
        assertEquals("t.conf:1: bad escape in quoted string: only \\\" and \\\\ are allowed",
                error("unix { log \"a\\n\" }"));
    }

    @Test
    void controlCharactersAreRejected() {
        assertEquals("t.conf:2: unexpected control character U+0000", error("vcl {\n rx\0 1 }"));
        assertEquals("t.conf:1: expected '{' after section name 'vcl', found control character U+0007",
                error("vcl \u0007"));
    }
}

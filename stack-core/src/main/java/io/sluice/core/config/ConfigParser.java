package io.sluice.core.config;

import io.sluice.core.util.Utf8;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads VPP's {@code section { key value ... }} syntax into a {@link ConfigDocument}.
 *
 * <p>The syntax, as VPP's {@code startup.conf} and VCL's {@code vcl.conf} use it:
 * <ul>
 *   <li>White space (spaces, tabs, line ends) separates words; line ends mean nothing to the parser, so
 *       {@code unix { nodaemon cli-listen /run/vpp/cli.sock }} on one line equals the multi-line form.</li>
 *   <li>{@code #} at the start of a word begins a comment that runs to the end of the line ({@code a#b} is one
 *       word). There are no C-style block comments: VPP has none either.</li>
 *   <li>Opening and closing braces are tokens even when glued to a word.</li>
 *   <li>A word in double quotes may hold white space, braces and {@code #}; {@code \"} and {@code \\} escape.
 *       It must end on its line. (An extension: VPP's own reader has no quoting.)</li>
 *   <li>The top level holds sections: a name followed by a braced block. A block holds words and nested blocks;
 *       a nested block must follow a word ({@code dev 0000:18:00.0 { num-rx-queues 1 }}).</li>
 *   <li>Control characters other than tab, carriage return and line feed are errors, so a binary file is
 *       reported instead of read as words.</li>
 * </ul>
 * Errors are {@link ConfigException}s naming the source and line; an unclosed brace names the line of the
 * outermost brace left open.
 */
public final class ConfigParser {

    /** Deepest nesting of blocks accepted (a section's own block is depth 1). */
    public static final int MAX_DEPTH = 16;

    /** Largest source read, in characters: configuration files are small; anything bigger is a mistake. */
    public static final int MAX_LENGTH = 4 << 20;

    private final String source;
    private final CharSequence text;
    private final ArrayDeque<String> open = new ArrayDeque<>();
    private int outermostOpenLine;
    private int pos;
    private int line = 1;
    private int column = 1;

    private ConfigParser(String source, CharSequence text) {
        this.source = source;
        this.text = text;
    }

    /**
     * Parses text.
     *
     * @param source the name used in error messages, normally the file as the user gave it
     * @param text the configuration text
     * @return the document
     * @throws ConfigException on a syntax error
     */
    public static ConfigDocument parse(String source, CharSequence text) {
        if (text.length() > MAX_LENGTH) {
            throw new ConfigException(source, 0, "too large (" + text.length() + " characters, at most "
                    + MAX_LENGTH + ")");
        }
        return new ConfigParser(source, text).document();
    }

    /**
     * Reads and parses a file (UTF-8). Error messages name the file as {@code path.toString()}.
     *
     * @param path the file
     * @return the document
     * @throws ConfigException if the file cannot be read, is not UTF-8 text, or has a syntax error
     */
    public static ConfigDocument parse(Path path) {
        String name = path.toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException(name, "no such file", e);
        } catch (IOException e) {
            throw new ConfigException(name, "cannot read: " + e, e);
        }
        String text;
        try {
            text = Utf8.decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new ConfigException(name, "not UTF-8 text", e);
        }
        return parse(name, text);
    }

    private ConfigDocument document() {
        List<ConfigSection> sections = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (atEnd()) {
                return new ConfigDocument(source, sections);
            }
            char c = text.charAt(pos);
            if (c == '}') {
                throw error(line, "unmatched '}'");
            }
            if (c == '{') {
                throw error(line, "expected a section name before '{'");
            }
            ConfigWord name = word();
            skipBlanks();
            if (atEnd() || text.charAt(pos) != '{') {
                String found = atEnd() ? "end of file" : describeNext();
                throw error(atEnd() ? name.line() : line,
                        "expected '{' after section name '" + name.text() + "', found " + found);
            }
            ConfigBlock body = block(1, "section '" + name.text() + "'");
            sections.add(new ConfigSection(name.text(), name.line(), name.column(), body));
        }
    }

    /** Parses a block; {@code pos} is at its opening brace. */
    private ConfigBlock block(int depth, String owner) {
        if (depth > MAX_DEPTH) {
            throw error(line, "blocks nested deeper than " + MAX_DEPTH);
        }
        int openLine = line;
        int openColumn = column;
        if (open.isEmpty()) {
            outermostOpenLine = openLine;
        }
        open.addLast(owner);
        advance();
        List<ConfigItem> items = new ArrayList<>();
        while (true) {
            skipBlanks();
            if (atEnd()) {
                // The outermost open brace is the first one whose '}' is missing: report it, not the innermost.
                String count = open.size() > 1 ? " with " + open.size() + " blocks open" : "";
                throw error(outermostOpenLine, "'{' of " + open.getFirst() + " is never closed (end of file reached"
                        + count + ")");
            }
            char c = text.charAt(pos);
            if (c == '}') {
                advance();
                open.removeLast();
                return new ConfigBlock(openLine, openColumn, items);
            }
            if (c == '{') {
                if (items.isEmpty() || !(items.getLast() instanceof ConfigWord key)) {
                    throw error(line, "unexpected '{' in " + owner + ": a nested block must follow a name");
                }
                items.add(block(depth + 1, "the block after '" + key.text() + "' in " + owner));
            } else {
                items.add(word());
            }
        }
    }

    private ConfigWord word() {
        int startLine = line;
        int startColumn = column;
        if (text.charAt(pos) == '"') {
            return quoted(startLine, startColumn);
        }
        int start = pos;
        while (!atEnd()) {
            char c = text.charAt(pos);
            if (isBlank(c) || c == '{' || c == '}') {
                break;
            }
            checkCharacter(c);
            advance();
        }
        return new ConfigWord(text.subSequence(start, pos).toString(), false, startLine, startColumn);
    }

    private ConfigWord quoted(int startLine, int startColumn) {
        advance();
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (atEnd() || text.charAt(pos) == '\n') {
                throw error(startLine, "unterminated quoted string (a quoted string must end on its line)");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                advance();
                return new ConfigWord(sb.toString(), true, startLine, startColumn);
            }
            if (c == '\\') {
                advance();
                if (atEnd() || (text.charAt(pos) != '"' && text.charAt(pos) != '\\')) {
                    throw error(line, "bad escape in quoted string: only \\\" and \\\\ are allowed");
                }
                c = text.charAt(pos);
            } else if (c != '\t') {
                checkCharacter(c);
            }
            sb.append(c);
            advance();
        }
    }

    private void skipBlanks() {
        while (!atEnd()) {
            char c = text.charAt(pos);
            if (isBlank(c)) {
                advance();
            } else if (c == '#') {
                while (!atEnd() && text.charAt(pos) != '\n') {
                    advance();
                }
            } else {
                return;
            }
        }
    }

    private void checkCharacter(char c) {
        if (c < 0x20 || c == 0x7f) {
            throw error(line, String.format("unexpected control character U+%04X", (int) c));
        }
    }

    private String describeNext() {
        char c = text.charAt(pos);
        if (c == '}') {
            return "'}'";
        }
        if (c < 0x20 || c == 0x7f) {
            return String.format("control character U+%04X", (int) c);
        }
        return "'" + word().text() + "'";
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private void advance() {
        if (text.charAt(pos) == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
        pos++;
    }

    private ConfigException error(int atLine, String detail) {
        return new ConfigException(source, atLine, detail);
    }
}

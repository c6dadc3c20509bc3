/**
 * Configuration files in VPP's syntax: the stack's {@code startup.conf} and an application's {@code vcl.conf}, so
 * files users already have keep working for the keys Sluice supports.
 *
 * <h2>Layers</h2>
 * <ol>
 *   <li>{@link io.sluice.core.config.ConfigParser} turns text into a {@link io.sluice.core.config.ConfigDocument}:
 *       top-level sections ({@code unix { ... }}), each a block of words and nested blocks, every node with its
 *       line and column. It knows only the syntax: white space, {@code #} comments, braces, quoted words.</li>
 *   <li>{@link io.sluice.core.config.ConfigReader} reads a document against a
 *       {@link io.sluice.core.config.ConfigSchema}: which sections exist, their
 *       {@link io.sluice.core.config.ConfigKey}s (a flag, or a key with one value of a
 *       {@link io.sluice.core.config.ValueType}: ranged integer, size with k/m/g, path, CPU list, address...),
 *       defaults, required keys. In VPP's syntax only the key tells whether the next word is its value
 *       ({@code nodaemon cli-listen /run/vpp/cli.sock} is a flag then a key and value), so this split is made
 *       here, not by the parser. A value must be on its key's line.</li>
 *   <li>The schemas, in one place for the stack and the application library:
 *       {@link io.sluice.core.config.StackConfigSchema} ({@code unix}, {@code cpu}, {@code buffers},
 *       {@code session}, {@code tcp}, {@code tap}) and {@link io.sluice.core.config.VclConfigSchema}
 *       ({@code vcl}), with the records {@link io.sluice.core.config.StackConfig} and
 *       {@link io.sluice.core.config.VclConfig} built from them. {@link io.sluice.core.config.VclConfigLocator}
 *       finds {@code vcl.conf} ({@code -Dsluice.vcl.config}, {@code VCL_CONFIG}, {@code /etc/vpp/vcl.conf}).</li>
 * </ol>
 *
 * <h2>Errors</h2>
 * Every problem is a {@link io.sluice.core.config.ConfigException} whose message starts with {@code file:line:}:
 * syntax (unclosed brace: the line of the brace; unmatched brace; unterminated quote; control characters), an
 * unknown section or key (with "did you mean" when a known name is one or two edits away), a VPP key Sluice does
 * not support (with the reason), a key given twice, a missing or bad value (with the reason and the expected
 * form), contradicting keys. Nothing unknown is silently skipped, except the VPP sections a schema declares
 * ignored ({@code dpdk}, {@code plugins}, {@code api-trace}, {@code api-segment}, {@code socksvr} in
 * {@code startup.conf}; see {@link io.sluice.core.config.StackConfigSchema}), which log a warning.
 *
 * <h2>Differences from VPP's reader</h2>
 * VPP and VCL warn about and skip unknown keys; Sluice refuses them, because a misspelt {@code rx-fifo-size}
 * silently falling back to a default is a performance bug that is hard to find. VCL reads one key per line;
 * Sluice, like VPP's {@code startup.conf} reader, accepts several on a line. Quoted words are an extension.
 */
package io.sluice.core.config;

package io.sluice.core.config;

/**
 * One element of a block: a {@link ConfigWord} or a nested {@link ConfigBlock}. The parser does not decide which
 * words are keys and which are values: in VPP's syntax that depends on the key ({@code nodaemon} takes no value,
 * {@code cli-listen} takes one), so the schema layer ({@link ConfigReader}) does it.
 */
public sealed interface ConfigItem permits ConfigWord, ConfigBlock {

    /** @return the 1-based line where the item starts */
    int line();

    /** @return the 1-based column where the item starts */
    int column();
}

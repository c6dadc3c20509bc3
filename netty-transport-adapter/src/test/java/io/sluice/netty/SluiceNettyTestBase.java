package io.sluice.netty;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test with an embedded stack of its own ({@link SluiceNettyFixture}), started before and stopped after each. */
abstract class SluiceNettyTestBase {

    @TempDir
    Path dir;

    SluiceNettyFixture fixture;

    @BeforeEach
    void startStack() throws Exception {
        fixture = new SluiceNettyFixture(dir, "netty-test");
    }

    @AfterEach
    void stopStack() {
        fixture.close();
    }
}

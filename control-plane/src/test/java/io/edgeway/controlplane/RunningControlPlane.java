package io.edgeway.controlplane;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * A real control plane on its own database of the shared embedded PostgreSQL, started once per test class,
 * with an HTTP client that sends the admin token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class RunningControlPlane {
    protected TestDatabase db;
    protected ControlPlane cp;
    protected Http http;

    @BeforeAll
    void startControlPlane() throws Exception {
        db = TestDatabase.create(getClass());
        cp = ControlPlane.start(db.settings(), env());
        http = new Http(cp.adminPort());
    }

    /** The environment the control plane starts with (e.g. its master key): the process's own unless overridden. */
    protected Map<String, String> env() {
        return System.getenv();
    }

    @AfterAll
    void stopControlPlane() {
        cp.close();
    }
}

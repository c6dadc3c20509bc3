package io.sluice.core.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A function run on a worker's thread for the control thread, and the future that receives its result. */
final class ControlTask<T> {

    private final Function<WorkerView, T> function;
    private final CompletableFuture<T> result = new CompletableFuture<>();

    ControlTask(Function<WorkerView, T> function) {
        this.function = function;
    }

    CompletableFuture<T> result() {
        return result;
    }

    void run(WorkerView view) {
        try {
            result.complete(function.apply(view));
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
        }
    }

    void fail(Throwable reason) {
        result.completeExceptionally(reason);
    }
}

// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://guava.dev/releases/snapshot-jre/api/docs/com/google/common/util/concurrent/ListenableFuture.html
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package com.google.common.util.concurrent;

public interface ListenableFuture<V> extends java.util.concurrent.Future<V> {
    void addListener(Runnable listener, java.util.concurrent.Executor executor);
}

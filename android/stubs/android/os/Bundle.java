// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/os/Bundle
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.os;

public final class Bundle {
    public Bundle() {}
    public void putLong(String key, long value) { throw new UnsupportedOperationException(); }
    public long getLong(String key, long defaultValue) { throw new UnsupportedOperationException(); }
}

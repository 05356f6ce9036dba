// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/Data
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public final class Data {
    public long getLong(String key, long defaultValue) { throw new UnsupportedOperationException(); }
    public static final class Builder {
        public Builder() {}
        public Builder putLong(String key, long value) { return this; }
        public Data build() { throw new UnsupportedOperationException(); }
    }
}

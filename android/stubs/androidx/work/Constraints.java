// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/Constraints.Builder
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public final class Constraints {
    public static final class Builder {
        public Builder() {}
        public Builder setRequiredNetworkType(NetworkType networkType) { return this; }
        public Builder setRequiresStorageNotLow(boolean requiresStorageNotLow) { return this; }
        public Constraints build() { throw new UnsupportedOperationException(); }
    }
}

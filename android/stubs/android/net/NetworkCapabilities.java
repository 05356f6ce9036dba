// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/net/NetworkCapabilities
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.net;

public final class NetworkCapabilities {
    public static final int NET_CAPABILITY_INTERNET = 12;
    public static final int NET_CAPABILITY_NOT_METERED = 11;
    public boolean hasCapability(int capability) { throw new UnsupportedOperationException(); }
}

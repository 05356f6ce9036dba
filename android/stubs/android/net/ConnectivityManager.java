// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/net/ConnectivityManager
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.net;

public class ConnectivityManager {
    public static class NetworkCallback {
        public void onCapabilitiesChanged(Network network, NetworkCapabilities networkCapabilities) {}
        public void onLost(Network network) {}
    }
    public void registerDefaultNetworkCallback(NetworkCallback networkCallback) {}
    public void unregisterNetworkCallback(NetworkCallback networkCallback) {}
    public Network getActiveNetwork() { throw new UnsupportedOperationException(); }
    public NetworkCapabilities getNetworkCapabilities(Network network) { throw new UnsupportedOperationException(); }
}

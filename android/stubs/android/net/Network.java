// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/net/Network
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.net;

public class Network {}

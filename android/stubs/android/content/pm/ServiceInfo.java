// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/content/pm/ServiceInfo
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.content.pm;

public class ServiceInfo {
    public static final int FOREGROUND_SERVICE_TYPE_DATA_SYNC = 1;
}

// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/guide/topics/resources/providing-resources#Accessing (the Android Gradle Plugin generates R from res/)
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package net.plexdownloader;

// Stands in for the class the build generates from android/app/src/main/res.
public final class R {
    public static final class drawable {
        public static final int ic_notification = 0x7f010000;
    }
}

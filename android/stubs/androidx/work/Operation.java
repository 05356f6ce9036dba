// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/Operation
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public interface Operation {}

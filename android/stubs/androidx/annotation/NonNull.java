// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/annotation/NonNull
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.annotation;

@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.CLASS)
public @interface NonNull {}

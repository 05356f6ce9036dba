// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/core/view/ViewCompat
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.core.view;

public class ViewCompat {
    public static void setOnApplyWindowInsetsListener(android.view.View view, OnApplyWindowInsetsListener listener) {}
}

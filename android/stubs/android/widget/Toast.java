// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/widget/Toast
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.widget;

public class Toast {
    public static final int LENGTH_LONG = 1;
    public static Toast makeText(android.content.Context context, CharSequence text, int duration) { throw new UnsupportedOperationException(); }
    public void show() {}
}

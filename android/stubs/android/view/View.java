// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/view/View
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.view;

public class View {
    public View(android.content.Context context) {}
    public void setPadding(int left, int top, int right, int bottom) {}
}

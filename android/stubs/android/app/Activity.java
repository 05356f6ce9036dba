// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/app/Activity
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.app;

public class Activity extends android.content.ContextWrapper {
    public Activity() {}
    protected void onCreate(android.os.Bundle savedInstanceState) {}
    protected void onStart() {}
    protected void onStop() {}
    protected void onSaveInstanceState(android.os.Bundle outState) {}
    public void setContentView(android.view.View view) {}
    public final void runOnUiThread(Runnable action) {}
    public final void requestPermissions(String[] permissions, int requestCode) {}
}

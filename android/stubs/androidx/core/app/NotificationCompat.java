// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/core/app/NotificationCompat.Builder
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.core.app;

public class NotificationCompat {
    public abstract static class Style {}
    public static class BigTextStyle extends Style {
        public BigTextStyle bigText(CharSequence cs) { return this; }
    }
    public static class Builder {
        public Builder(android.content.Context context, String channelId) {}
        public Builder setSmallIcon(int icon) { return this; }
        public Builder setContentTitle(CharSequence title) { return this; }
        public Builder setContentText(CharSequence text) { return this; }
        public Builder setOnlyAlertOnce(boolean onlyAlertOnce) { return this; }
        public Builder setOngoing(boolean ongoing) { return this; }
        public Builder setProgress(int max, int progress, boolean indeterminate) { return this; }
        public Builder addAction(int icon, CharSequence title, android.app.PendingIntent intent) { return this; }
        public Builder setStyle(Style style) { return this; }
        public Builder setContentIntent(android.app.PendingIntent intent) { return this; }
        public android.app.Notification build() { throw new UnsupportedOperationException(); }
    }
}

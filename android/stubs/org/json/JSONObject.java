// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/org/json/JSONObject
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package org.json;

public class JSONObject {
    public JSONObject(String json) throws JSONException { throw new UnsupportedOperationException(); }
    public static String quote(String data) { throw new UnsupportedOperationException(); }
    public JSONObject getJSONObject(String name) throws JSONException { throw new UnsupportedOperationException(); }
    public JSONArray getJSONArray(String name) throws JSONException { throw new UnsupportedOperationException(); }
    public boolean getBoolean(String name) throws JSONException { throw new UnsupportedOperationException(); }
    public String getString(String name) throws JSONException { throw new UnsupportedOperationException(); }
    public long getLong(String name) throws JSONException { throw new UnsupportedOperationException(); }
    public long optLong(String name, long fallback) { throw new UnsupportedOperationException(); }
}

// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/org/json/JSONArray
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package org.json;

public class JSONArray {
    public JSONArray(String json) throws JSONException { throw new UnsupportedOperationException(); }
    public int length() { throw new UnsupportedOperationException(); }
    public JSONObject getJSONObject(int index) throws JSONException { throw new UnsupportedOperationException(); }
}

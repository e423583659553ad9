package host

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAbridge(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	var msgs []string
	for i := range 1000 {
		msgs = append(msgs, fmt.Sprintf(`{"id":"m%d","message":"hello %d","originator":"customer"}`, i, i))
	}
	transcript := `{"type":"state","payload":{"attribute":"interaction","value":{"id":"c1","transcript":{"messages":[` +
		strings.Join(msgs, ",") + `]}}}}`
	for _, tc := range []struct {
		name, in string
		want     func(t *testing.T, out map[string]any)
	}{
		{"a long string keeps its start", `{"type":"action","payload":{"value":"` + long + `"}}`, func(t *testing.T, out map[string]any) {
			v := out["payload"].(map[string]any)["value"].(string)
			if !strings.HasPrefix(v, strings.Repeat("x", 100)) || !strings.HasSuffix(v, "… (340 more bytes)") {
				t.Errorf("value = %q", v)
			}
		}},
		{"a transcript keeps its first messages and counts the rest", transcript, func(t *testing.T, out map[string]any) {
			if out["type"] != "state" {
				t.Errorf("type = %v", out["type"])
			}
			ms := out["payload"].(map[string]any)["value"].(map[string]any)["transcript"].(map[string]any)["messages"].([]any)
			first := ms[0].(map[string]any)
			if diff := cmp.Diff(map[string]any{"id": "m0", "message": "hello 0", "originator": "customer"}, first); diff != "" {
				t.Errorf("first message (-want +got):\n%s", diff)
			}
			last := ms[len(ms)-1].(string)
			if want := fmt.Sprintf("… %d more items", 1000-(len(ms)-1)); last != want {
				t.Errorf("last item = %q, want %q", last, want)
			}
		}},
		{"an object's keys past the budget are counted", `{` + keys(300) + `}`, func(t *testing.T, out map[string]any) {
			n := len(out) - 1
			if got, want := out["…"], fmt.Sprintf("%d more keys", 300-n); got != want {
				t.Errorf("… = %v, want %q", got, want)
			}
		}},
		{"deep nesting is summed up", strings.Repeat("[", 100) + strings.Repeat("]", 100), func(t *testing.T, out map[string]any) {}},
		{"escapes are never cut in half", `{"v":"` + strings.Repeat(`\u00e9`, 100) + `"}`, func(t *testing.T, out map[string]any) {
			if v := out["v"].(string); !strings.HasSuffix(v, "more bytes)") {
				t.Errorf("v = %q", v)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, ok := abridge([]byte(tc.in))
			if !ok {
				t.Fatalf("abridge(%.80s) failed", tc.in)
			}
			if len(out) > 4*abridgeTo {
				t.Errorf("abridged to %d bytes, want about %d", len(out), abridgeTo)
			}
			var v any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("abridged JSON does not decode: %v\n%s", err, out)
			}
			if m, ok := v.(map[string]any); ok {
				tc.want(t, m)
			}
		})
	}
}

func keys(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"key%03d":%d`, i, i)
	}
	return b.String()
}

func TestAbridgeRefusesWhatIsNotJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `{`, `{"a":}`, `[1,]`, `"abc`, `{"a":1}}`, `tru`, `01`, `[1 2]`, `{"a" 1}`, "\"\x01\""} {
		if out, ok := abridge([]byte(in)); ok {
			t.Errorf("abridge(%q) = %s, true; want false", in, out)
		}
	}
}

// FuzzAbridge checks that abridging never panics, and that valid JSON
// always comes out as valid JSON of a bounded size.
func FuzzAbridge(f *testing.F) {
	for _, s := range []string{`{"type":"state","payload":{"value":[1,2,3]}}`, `[[[[]]]]`, `"\ud83d\ude00"`, `{"a":"` + strings.Repeat("é", 200) + `"}`, `[` + strings.Repeat(`{"k":"v"},`, 500) + `{}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, ok := abridge(in)
		if !json.Valid(in) {
			if ok && !json.Valid(out) {
				t.Fatalf("invalid output %q", out)
			}
			return
		}
		if !ok {
			t.Fatalf("abridge(%q) failed on valid JSON", in)
		}
		if !json.Valid(out) {
			t.Fatalf("abridge(%q) = %q: not JSON", in, out)
		}
		if len(out) > abridgeTo+abridgeDepth*(abridgeString+64) {
			t.Fatalf("abridged to %d bytes", len(out))
		}
	})
}

package extcheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		same bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081/ext.html", true}, // the port does not count
		{"http://127.0.0.1:8080", "http://localhost:8081/ext.html", false},
		{"http://localhost:8080", "http://localhost:3000/", true},
		{"http://app.example.com", "http://ext.example.com/x", true},
		{"http://app.example.com", "https://app.example.com/x", false}, // schemes differ
		{"https://panel.example.co.uk", "https://crm.example.co.uk", true},
		{"https://a.co.uk", "https://b.co.uk", false}, // co.uk is a public suffix
		{"https://x.github.io", "https://y.github.io", false},
		{"http://[::1]:8080", "http://[::1]:9000", true},
	}
	for _, tt := range tests {
		a, err1 := Site(tt.a)
		b, err2 := Site(tt.b)
		if err1 != nil || err2 != nil {
			t.Fatalf("%v %v", err1, err2)
		}
		if (a == b) != tt.same {
			t.Errorf("Site(%s) = %s, Site(%s) = %s: same site %v, want %v", tt.a, a, tt.b, b, a == b, tt.same)
		}
	}
}

func TestSameSite(t *testing.T) {
	t.Parallel()
	p := SameSite("http://127.0.0.1:8080", "http://127.0.0.1:3000/panel.html")
	if p == nil || p.Level != "warning" {
		t.Fatalf("got %v, want a warning", p)
	}
	for _, want := range []string{"SameSite=None; Secure", "open the panel as http://localhost:8080 instead", "http://localhost:3000"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("warning %q lacks %q", p.Text, want)
		}
	}
	if p := SameSite("http://127.0.0.1:8080", "http://localhost:8081/x"); p != nil {
		t.Errorf("a cross-site extension got %v", p)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	const panel = "http://127.0.0.1:8080"
	serve := func(h http.HandlerFunc) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return strings.Replace(s.URL, "127.0.0.1", "localhost", 1) + "/ext.html"
	}
	ok := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; frame-ancestors http://127.0.0.1:8080 http://localhost:8080")
	})
	missing := serve(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	xfo := serve(func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Frame-Options", "SAMEORIGIN") })
	ancestors := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "frame-ancestors 'self' https://cc.example.com")
	})
	wildcard := serve(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "frame-ancestors http://127.0.0.1:*")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://localhost:" + ln.Addr().(*net.TCPAddr).AddrPort().String()[len("127.0.0.1:"):] + "/ext.html"
	ln.Close()

	tests := []struct {
		name, url string
		want      string // part of the one problem expected; "" for none
	}{
		{"a good extension", ok, ""},
		{"a wildcard port", wildcard, ""},
		{"nothing listening", closed, "cannot reach " + closed + ": connect: connection refused. Is the extension's server running?"},
		{"not found", missing, "answers 404 Not Found"},
		{"X-Frame-Options", xfo, "sends X-Frame-Options: SAMEORIGIN, so the panel cannot show it"},
		{"frame-ancestors without the panel", ancestors, "frame-ancestors does not include the panel's origin http://127.0.0.1:8080 (frame-ancestors 'self' https://cc.example.com)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := Check(context.Background(), http.DefaultClient, panel, tt.url)
			switch {
			case tt.want == "" && len(ps) > 0:
				t.Errorf("problems: %v", ps)
			case tt.want != "" && (len(ps) != 1 || !strings.Contains(ps[0].Text, tt.want) || ps[0].Level != "error"):
				t.Errorf("problems: %v\nwant one error containing %q", ps, tt.want)
			}
		})
	}
}

// TestFraming: the framing headers are read as browsers read them
// (internal/runner's TestFramingAgreesWithChromium checks Chromium does
// so): every policy enforced, the first directive of a name, X-Frame-Options
// ignored beside frame-ancestors and when browsers do not know its value.
func TestFraming(t *testing.T) {
	t.Parallel()
	const panel, ext = "http://127.0.0.1:8080", "http://localhost:3000/ext.html"
	type problem struct{ Level, Says string }
	tests := []struct {
		name     string
		csp, xfo []string
		want     []problem // each problem's level and part of its text
	}{
		{"nothing", nil, nil, nil},
		{"the panel named", []string{"frame-ancestors http://127.0.0.1:8080"}, nil, nil},
		{"the panel among others", []string{"default-src 'self'; frame-ancestors 'self' https://cc.example.com http://127.0.0.1:8080"}, nil, nil},
		{"a wildcard port", []string{"frame-ancestors http://127.0.0.1:*"}, nil, nil},
		{"a host without scheme", []string{"frame-ancestors 127.0.0.1:8080"}, nil, nil},
		{"a scheme source", []string{"frame-ancestors http:"}, nil, nil},
		{"any", []string{"frame-ancestors *"}, nil, nil},
		{"a trailing slash", []string{"frame-ancestors http://127.0.0.1:8080/"}, nil, nil},
		{"upper case", []string{"FRAME-ANCESTORS HTTP://127.0.0.1:8080"}, nil, nil},
		{"no frame-ancestors", []string{"default-src 'self'"}, nil, nil},
		{"the wrong port", []string{"frame-ancestors http://127.0.0.1:9090"}, nil,
			[]problem{{"error", "frame-ancestors does not include the panel's origin http://127.0.0.1:8080 (frame-ancestors http://127.0.0.1:9090)"}}},
		{"no port is port 80", []string{"frame-ancestors http://127.0.0.1"}, nil,
			[]problem{{"error", "does not include the panel's origin"}}},
		{"https only", []string{"frame-ancestors https://127.0.0.1:8080"}, nil,
			[]problem{{"error", "does not include the panel's origin"}}},
		{"a path", []string{"frame-ancestors http://127.0.0.1:8080/panel"}, nil,
			[]problem{{"error", "does not include the panel's origin"}}},
		{"'self' is the extension", []string{"frame-ancestors 'self'"}, nil,
			[]problem{{"error", "(frame-ancestors 'self')"}}},
		{"'none'", []string{"frame-ancestors 'none'"}, nil, []problem{{"error", "(frame-ancestors 'none')"}}},
		{"no source", []string{"frame-ancestors"}, nil, []problem{{"error", "(frame-ancestors)"}}},
		{"two policies in one header, the second refusing", []string{"frame-ancestors *, frame-ancestors http://nowhere.example"}, nil,
			[]problem{{"error", "(frame-ancestors http://nowhere.example)"}}},
		{"two policies in one header, the first refusing", []string{"frame-ancestors 'self', frame-ancestors http://127.0.0.1:8080"}, nil,
			[]problem{{"error", "(frame-ancestors 'self')"}}},
		{"two headers, both allowing", []string{"frame-ancestors http://127.0.0.1:8080", "default-src 'self'; frame-ancestors *"}, nil, nil},
		{"two headers, one refusing", []string{"frame-ancestors http://127.0.0.1:8080", "frame-ancestors 'none'"}, nil,
			[]problem{{"error", "(frame-ancestors 'none')"}}},
		{"a repeated directive: the first counts", []string{"frame-ancestors http://127.0.0.1:8080; frame-ancestors 'none'"}, nil, nil},
		{"a repeated directive: the first refuses", []string{"frame-ancestors 'none'; frame-ancestors http://127.0.0.1:8080"}, nil,
			[]problem{{"error", "(frame-ancestors 'none')"}}},
		{"X-Frame-Options DENY", nil, []string{"DENY"},
			[]problem{{"error", "sends X-Frame-Options: DENY, so the panel cannot show it in its iframe"}}},
		{"X-Frame-Options SAMEORIGIN", nil, []string{"sameorigin"}, []problem{{"error", "sends X-Frame-Options: sameorigin, so"}}},
		{"X-Frame-Options conflicting", nil, []string{"SAMEORIGIN", "ALLOWALL"}, []problem{{"error", "X-Frame-Options: SAMEORIGIN, ALLOWALL, so"}}},
		{"X-Frame-Options repeated", nil, []string{"DENY, deny"}, []problem{{"error", "X-Frame-Options: DENY, deny, so"}}},
		{"X-Frame-Options ALLOW-FROM is ignored", nil, []string{"ALLOW-FROM http://127.0.0.1:8080"},
			[]problem{{"warning", "X-Frame-Options: ALLOW-FROM http://127.0.0.1:8080, which browsers do not know (ALLOW-FROM is obsolete) and ignore"}}},
		{"X-Frame-Options ALLOWALL", nil, []string{"ALLOWALL"}, []problem{{"warning", "which lets the panel frame it"}}},
		{"X-Frame-Options beside frame-ancestors is ignored", []string{"frame-ancestors http://127.0.0.1:8080"}, []string{"DENY"},
			[]problem{{"warning", "X-Frame-Options: DENY, which browsers ignore since its Content-Security-Policy has frame-ancestors"}}},
		{"beside a refusing frame-ancestors too", []string{"frame-ancestors 'none'"}, []string{"SAMEORIGIN"},
			[]problem{{"error", "(frame-ancestors 'none')"}, {"warning", "which browsers ignore"}}},
		{"but not beside a policy without frame-ancestors", []string{"default-src 'self'"}, []string{"DENY"},
			[]problem{{"error", "sends X-Frame-Options: DENY, so"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for _, v := range tt.csp {
				h.Add("Content-Security-Policy", v)
			}
			for _, v := range tt.xfo {
				h.Add("X-Frame-Options", v)
			}
			var got []problem
			for i, p := range Framing(h, panel, ext) {
				if p.Kind != "framing" || p.URL != ext {
					t.Errorf("problem %d: kind %q, URL %q", i, p.Kind, p.URL)
				}
				says := p.Text
				if i < len(tt.want) && strings.Contains(p.Text, tt.want[i].Says) {
					says = tt.want[i].Says
				}
				got = append(got, problem{p.Level, says})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReportOnlyBlocksNothing: a Content-Security-Policy-Report-Only
// header only reports, so the start-up check says nothing of it.
func TestReportOnlyBlocksNothing(t *testing.T) {
	t.Parallel()
	h := http.Header{"Content-Security-Policy-Report-Only": {"frame-ancestors 'none'"}}
	if ps := Framing(h, "http://127.0.0.1:8080", "http://localhost:3000/"); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
}

// TestFramingHintFitsAnyPort: the fix suggested for a panel on this
// machine names its host on any port, since cpsim test's panel is on a
// free port that changes with every run; elsewhere, the panel's origin.
func TestFramingHintFitsAnyPort(t *testing.T) {
	t.Parallel()
	h := http.Header{"X-Frame-Options": {"DENY"}}
	for panel, want := range map[string]string{
		"http://127.0.0.1:41234": "Content-Security-Policy: frame-ancestors http://127.0.0.1:*",
		"http://localhost:8080":  "Content-Security-Policy: frame-ancestors http://localhost:*",
		"https://cc.example.com": "Content-Security-Policy: frame-ancestors https://cc.example.com",
		"http://[::1]:8080":      "Content-Security-Policy: frame-ancestors http://[::1]:8080",
	} {
		ps := Framing(h, panel, "http://ext.example/x.html")
		if len(ps) != 1 || !strings.HasSuffix(ps[0].Text, want) {
			t.Errorf("panel %s: %v\nwant the hint %q", panel, ps, want)
		}
	}
}

// TestCRMFraming: an extension in a panel that a CRM embeds is framed by
// the CRM too, and every frame-ancestors must allow it.
func TestCRMFraming(t *testing.T) {
	t.Parallel()
	const ext = "http://localhost:3000/panel.html"
	const crm = "http://localhost:4000"
	tests := []struct {
		name string
		csp  []string
		want bool // a problem
	}{
		{"no policy", nil, false},
		{"only the panel", []string{"frame-ancestors http://127.0.0.1:8080"}, true},
		{"the panel and the CRM", []string{"frame-ancestors http://127.0.0.1:8080 http://localhost:4000"}, false},
		{"any loopback port", []string{"frame-ancestors http://127.0.0.1:* http://localhost:*"}, false},
		{"self only, another port", []string{"frame-ancestors 'self'"}, true},
		{"two policies, one without the CRM", []string{"frame-ancestors *", "frame-ancestors http://127.0.0.1:8080"}, true},
		{"a policy without frame-ancestors", []string{"default-src 'self'"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.csp {
				h.Add("Content-Security-Policy", v)
			}
			ps := CRMFraming(h, crm, ext)
			if (len(ps) > 0) != tt.want {
				t.Fatalf("problems %v, want a problem: %v", ps, tt.want)
			}
			for _, p := range ps {
				if p.Kind != KindCRMFraming || !strings.Contains(p.Text, "Add http://localhost:* to frame-ancestors") {
					t.Errorf("problem %+v", p)
				}
			}
		})
	}
}

package host

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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

func TestSameSiteProblem(t *testing.T) {
	t.Parallel()
	p := SameSiteProblem("http://127.0.0.1:8080", "http://127.0.0.1:3000/panel.html")
	if p == nil || p.Level != "warning" {
		t.Fatalf("got %v, want a warning", p)
	}
	for _, want := range []string{"SameSite=None; Secure", "open the panel as http://localhost:8080 instead", "http://localhost:3000"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("warning %q lacks %q", p.Text, want)
		}
	}
	if p := SameSiteProblem("http://127.0.0.1:8080", "http://localhost:8081/x"); p != nil {
		t.Errorf("a cross-site extension got %v", p)
	}
}

func TestCheckExtension(t *testing.T) {
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
		{"frame-ancestors without the panel", ancestors, "frame-ancestors does not include the panel's origin http://127.0.0.1:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := CheckExtension(context.Background(), http.DefaultClient, panel, tt.url)
			switch {
			case tt.want == "" && len(ps) > 0:
				t.Errorf("problems: %v", ps)
			case tt.want != "" && (len(ps) != 1 || !strings.Contains(ps[0].Text, tt.want) || ps[0].Level != "error"):
				t.Errorf("problems: %v\nwant one error containing %q", ps, tt.want)
			}
		})
	}
}

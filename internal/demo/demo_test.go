package demo

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cpsim/cpsim/web"
)

func TestHeadersFollowTheSeedsConfigurationChapter(t *testing.T) {
	t.Parallel()
	files := fstest.MapFS{"card.html": {Data: []byte("<!doctype html>")}}
	h := New(files, []string{"http://127.0.0.1:8080", "http://localhost:8080"})

	req := httptest.NewRequest("GET", "/card.html", nil)
	req.Header.Set("Origin", "http://127.0.0.1:8080")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	res := w.Result()
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	want := map[string]string{
		"Content-Security-Policy":          "frame-ancestors 'self' http://127.0.0.1:8080 http://localhost:8080",
		"Access-Control-Allow-Origin":      "http://127.0.0.1:8080",
		"Access-Control-Allow-Credentials": "true",
		"X-Frame-Options":                  "",
	}
	for k, v := range want {
		if got := res.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	req = httptest.NewRequest("GET", "/card.html", nil)
	req.Header.Set("Origin", "https://elsewhere.example")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if got := w.Result().Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("another origin got Access-Control-Allow-Origin %q", got)
	}
}

// TestTheCardPreloadsItsModules: the customer card names every module it
// imports in a modulepreload link, so that a browser fetches them together
// instead of one import level after another; a card that loads slowly on
// a busy CI machine misses its scenario's expectations.
func TestTheCardPreloadsItsModules(t *testing.T) {
	t.Parallel()
	files, err := web.Demos()
	if err != nil {
		t.Fatal(err)
	}
	page, err := fs.ReadFile(files, "customer-card.html")
	if err != nil {
		t.Fatal(err)
	}
	mods, err := fs.Glob(files, "card/*.js")
	if err != nil || len(mods) == 0 {
		t.Fatalf("no card modules: %v", err)
	}
	for _, m := range append(mods, "panel.js") {
		if !strings.Contains(string(page), `<link rel="modulepreload" href="`+m+`">`) {
			t.Errorf("customer-card.html does not preload %s", m)
		}
	}
}

// TestNoDirectoryListings: the demos' directories answer 404, but for the
// one with an index.html.
func TestNoDirectoryListings(t *testing.T) {
	t.Parallel()
	files, err := web.Demos()
	if err != nil {
		t.Fatal(err)
	}
	h := New(files, []string{"http://127.0.0.1:8080"})
	for path, want := range map[string]int{"/": http.StatusOK, "/card/": http.StatusNotFound, "/card": http.StatusNotFound, "/card/actions.js": http.StatusOK, "/static/": http.StatusNotFound, "/static/js/": http.StatusNotFound} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != want {
			t.Errorf("GET %s: %d, want %d", path, w.Code, want)
		}
	}
}

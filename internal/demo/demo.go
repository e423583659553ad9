// Package demo serves cpsim's demo extensions the way the seed's
// Configuration chapter tells an extension's server to behave: it sends no
// X-Frame-Options, lets only the panel frame its pages (Content-Security-
// Policy: frame-ancestors), and answers the panel's CORS requests. Served on
// a second listener, on another site than the panel, the demos meet the
// browser exactly as a customer's extension does in production.
package demo

import (
	"io/fs"
	"net/http"
	"slices"
	"strings"
)

// New serves files (web/demo) to pages framed by one of panelOrigins.
func New(files fs.FS, panelOrigins []string) http.Handler {
	ancestors := strings.Join(panelOrigins, " ")
	static := http.FileServerFS(files)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "frame-ancestors "+ancestors)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if o := r.Header.Get("Origin"); slices.Contains(panelOrigins, o) {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Add("Vary", "Origin")
		}
		static.ServeHTTP(w, r)
	})
	return mux
}

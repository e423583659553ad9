// Package docs holds the documentation the binary serves: the control
// API's OpenAPI description, which GET /api/v1/openapi.yaml answers, kept
// here beside docs/api.md rather than copied into internal/host.
package docs

import _ "embed"

//go:embed openapi.yaml
var openAPI string

// OpenAPI is the control API's OpenAPI 3.1 description (docs/openapi.yaml),
// as YAML.
func OpenAPI() []byte { return []byte(openAPI) }

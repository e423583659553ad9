module github.com/cpsim/cpsim

go 1.26

require (
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
	gopkg.in/yaml.v3 v3.0.1
)

require github.com/google/go-cmp v0.7.0 // indirect

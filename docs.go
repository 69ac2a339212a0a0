//go:build generate

package main

// `go generate` (make generate) formats the examples and renders docs/ from templates/,
// examples/ and the provider's schema. The build tag keeps this file out of the binary.

//go:generate bash scripts/terraform.sh fmt -recursive ./examples/
//go:generate bash scripts/docs.sh

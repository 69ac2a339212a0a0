package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

func TestTypeJSONMatchesTerraformNotation(t *testing.T) {
	for _, tc := range []struct {
		typ  tftypes.Type
		want string
	}{
		{tftypes.String, `"string"`},
		{tftypes.Number, `"number"`},
		{tftypes.Bool, `"bool"`},
		{tftypes.DynamicPseudoType, `"dynamic"`},
		{tftypes.List{ElementType: tftypes.String}, `["list","string"]`},
		{tftypes.Set{ElementType: tftypes.Number}, `["set","number"]`},
		{tftypes.Map{ElementType: tftypes.List{ElementType: tftypes.Bool}}, `["map",["list","bool"]]`},
		{tftypes.Tuple{ElementTypes: []tftypes.Type{tftypes.String, tftypes.Bool}}, `["tuple",["string","bool"]]`},
		{tftypes.Object{AttributeTypes: map[string]tftypes.Type{"b": tftypes.Bool, "a": tftypes.String}},
			`["object",{"a":"string","b":"bool"}]`},
		{tftypes.Object{
			AttributeTypes:     map[string]tftypes.Type{"a": tftypes.String, "b": tftypes.Bool},
			OptionalAttributes: map[string]struct{}{"b": {}, "a": {}},
		}, `["object",{"a":"string","b":"bool"},["a","b"]]`},
	} {
		got, err := typeJSON(tc.typ)
		if err != nil {
			t.Errorf("%s: %v", tc.typ, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%s: got %s, want %s", tc.typ, got, tc.want)
		}
		// tftypes' own encoding is the one Terraform reads over the protocol.
		ref, err := tc.typ.MarshalJSON() //nolint:staticcheck // the reference to compare with
		if err != nil {
			t.Fatal(err)
		}
		if string(ref) != tc.want {
			t.Errorf("%s: tftypes writes %s, the test expects %s", tc.typ, ref, tc.want)
		}
	}
}

func TestExportHasEverySchema(t *testing.T) {
	out, err := export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p := out.Schemas[providerKey]
	if p == nil || p.Provider == nil {
		t.Fatalf("no provider schema under %q", providerKey)
	}
	if p.Resources["pinterest_custom_event"] == nil {
		t.Error("pinterest_custom_event resource missing")
	}
	for _, name := range []string{"pinterest_custom_event", "pinterest_custom_events"} {
		if p.DataSources[name] == nil {
			t.Errorf("%s data source missing", name)
		}
	}
	// The registry pages show every attribute's description; an empty one is a gap.
	check := func(kind string, schemas map[string]*schema) {
		for name, s := range schemas {
			for _, missing := range undescribed(s.Block, "") {
				t.Errorf("%s %s: attribute %s has no description", kind, name, missing)
			}
		}
	}
	check("provider", map[string]*schema{"pinterest": p.Provider})
	check("resource", p.Resources)
	check("data source", p.DataSources)
	check("list resource", p.ListResources)
}

// undescribed lists the paths of the attributes under b that have no description.
func undescribed(b *block, prefix string) []string {
	var out []string
	var walk func(attrs map[string]*attribute, prefix string)
	walk = func(attrs map[string]*attribute, prefix string) {
		for name, a := range attrs {
			if a.Description == "" {
				out = append(out, prefix+name)
			}
			if a.NestedType != nil {
				walk(a.NestedType.Attributes, prefix+name+".")
			}
		}
	}
	walk(b.Attributes, prefix)
	for name, bt := range b.BlockTypes {
		out = append(out, undescribed(bt.Block, prefix+name+".")...)
	}
	return out
}

// Command providerschema prints the provider's schemas in the JSON form of
// `terraform providers schema -json`, for tfplugindocs' --providers-schema flag.
//
// tfplugindocs can ask Terraform for the schemas itself, but Terraform reports resource
// identities only from v1.12 and list resources only from v1.14, and those versions
// cannot be built with `go install` (their go.mod replaces nested modules). Asking the
// provider directly, in-process, documents every part of the schema with whatever
// Terraform the machine has, and the same way on every machine.
//
// Usage: go run ./tools/providerschema > schema.json
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/conversionops/terraform-provider-pinterest/internal/provider"
)

// providerKey is the name the schemas are filed under. tfplugindocs looks a provider up
// by its short name (or under the hashicorp namespace), not by its registry address.
const providerKey = "pinterest"

func main() {
	out, err := export(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "providerschema:", err)
		os.Exit(1)
	}
}

// providersSchema is the top level of `terraform providers schema -json`.
type providersSchema struct {
	FormatVersion string                     `json:"format_version"`
	Schemas       map[string]*providerSchema `json:"provider_schemas"`
}

type providerSchema struct {
	Provider           *schema                    `json:"provider,omitempty"`
	Resources          map[string]*schema         `json:"resource_schemas,omitempty"`
	DataSources        map[string]*schema         `json:"data_source_schemas,omitempty"`
	EphemeralResources map[string]*schema         `json:"ephemeral_resource_schemas,omitempty"`
	ListResources      map[string]*schema         `json:"list_resource_schemas,omitempty"`
	ResourceIdentities map[string]*identitySchema `json:"resource_identity_schemas,omitempty"`
}

type schema struct {
	Version int64  `json:"version"`
	Block   *block `json:"block,omitempty"`
}

type block struct {
	Attributes      map[string]*attribute `json:"attributes,omitempty"`
	BlockTypes      map[string]*blockType `json:"block_types,omitempty"`
	Description     string                `json:"description,omitempty"`
	DescriptionKind string                `json:"description_kind,omitempty"`
	Deprecated      bool                  `json:"deprecated,omitempty"`
}

type blockType struct {
	NestingMode string `json:"nesting_mode,omitempty"`
	Block       *block `json:"block,omitempty"`
	MinItems    int64  `json:"min_items,omitempty"`
	MaxItems    int64  `json:"max_items,omitempty"`
}

type attribute struct {
	Type            json.RawMessage `json:"type,omitempty"`
	NestedType      *nestedType     `json:"nested_type,omitempty"`
	Description     string          `json:"description,omitempty"`
	DescriptionKind string          `json:"description_kind,omitempty"`
	Deprecated      bool            `json:"deprecated,omitempty"`
	Required        bool            `json:"required,omitempty"`
	Optional        bool            `json:"optional,omitempty"`
	Computed        bool            `json:"computed,omitempty"`
	Sensitive       bool            `json:"sensitive,omitempty"`
	WriteOnly       bool            `json:"write_only,omitempty"`
}

type nestedType struct {
	Attributes  map[string]*attribute `json:"attributes,omitempty"`
	NestingMode string                `json:"nesting_mode,omitempty"`
}

type identitySchema struct {
	Version    int64                         `json:"version"`
	Attributes map[string]*identityAttribute `json:"attributes,omitempty"`
}

type identityAttribute struct {
	Type              json.RawMessage `json:"type,omitempty"`
	Description       string          `json:"description,omitempty"`
	RequiredForImport bool            `json:"required_for_import,omitempty"`
	OptionalForImport bool            `json:"optional_for_import,omitempty"`
}

// export asks an in-process provider server for its schemas, as Terraform would.
func export(ctx context.Context) (*providersSchema, error) {
	server := providerserver.NewProtocol6(provider.New("docs")())()

	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(resp.Diagnostics); err != nil {
		return nil, err
	}
	// Parts of a schema this exporter cannot write yet fail loudly, rather than
	// leaving pages out of the documentation without a word.
	if len(resp.Functions) > 0 || len(resp.ActionSchemas) > 0 || len(resp.StateStoreSchemas) > 0 {
		return nil, errors.New("the provider has functions, actions or state stores, " +
			"which this exporter does not write yet; extend tools/providerschema")
	}

	identities, err := server.GetResourceIdentitySchemas(ctx,
		&tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, err
	}
	if err := diagnosticsError(identities.Diagnostics); err != nil {
		return nil, err
	}

	out := &providerSchema{
		Resources:          map[string]*schema{},
		DataSources:        map[string]*schema{},
		EphemeralResources: map[string]*schema{},
		ListResources:      map[string]*schema{},
		ResourceIdentities: map[string]*identitySchema{},
	}
	if out.Provider, err = convertSchema(resp.Provider); err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	for _, part := range []struct {
		kind string
		from map[string]*tfprotov6.Schema
		to   map[string]*schema
	}{
		{"resource", resp.ResourceSchemas, out.Resources},
		{"data source", resp.DataSourceSchemas, out.DataSources},
		{"ephemeral resource", resp.EphemeralResourceSchemas, out.EphemeralResources},
		{"list resource", resp.ListResourceSchemas, out.ListResources},
	} {
		for name, s := range part.from {
			if part.to[name], err = convertSchema(s); err != nil {
				return nil, fmt.Errorf("%s %s: %w", part.kind, name, err)
			}
		}
	}
	for name, s := range identities.IdentitySchemas {
		if out.ResourceIdentities[name], err = convertIdentity(s); err != nil {
			return nil, fmt.Errorf("identity of %s: %w", name, err)
		}
	}

	return &providersSchema{
		FormatVersion: "1.0",
		Schemas:       map[string]*providerSchema{providerKey: out},
	}, nil
}

func diagnosticsError(diags []*tfprotov6.Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, fmt.Errorf("%s: %s", d.Summary, d.Detail))
		}
	}
	return errors.Join(errs...)
}

func convertSchema(s *tfprotov6.Schema) (*schema, error) {
	if s == nil {
		return nil, nil
	}
	b, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &schema{Version: s.Version, Block: b}, nil
}

func convertBlock(b *tfprotov6.SchemaBlock) (*block, error) {
	if b == nil {
		return &block{DescriptionKind: "plain"}, nil
	}
	out := &block{
		Description:     b.Description,
		DescriptionKind: stringKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	attrs, err := convertAttributes(b.Attributes)
	if err != nil {
		return nil, err
	}
	if len(attrs) > 0 {
		out.Attributes = attrs
	}
	for _, nb := range b.BlockTypes {
		inner, err := convertBlock(nb.Block)
		if err != nil {
			return nil, fmt.Errorf("block %s: %w", nb.TypeName, err)
		}
		if out.BlockTypes == nil {
			out.BlockTypes = map[string]*blockType{}
		}
		out.BlockTypes[nb.TypeName] = &blockType{
			NestingMode: blockNesting(nb.Nesting),
			Block:       inner,
			MinItems:    nb.MinItems,
			MaxItems:    nb.MaxItems,
		}
	}
	return out, nil
}

func convertAttributes(attrs []*tfprotov6.SchemaAttribute) (map[string]*attribute, error) {
	out := make(map[string]*attribute, len(attrs))
	for _, a := range attrs {
		converted := &attribute{
			Description:     a.Description,
			DescriptionKind: stringKind(a.DescriptionKind),
			Deprecated:      a.Deprecated,
			Required:        a.Required,
			Optional:        a.Optional,
			Computed:        a.Computed,
			Sensitive:       a.Sensitive,
			WriteOnly:       a.WriteOnly,
		}
		switch {
		case a.NestedType != nil:
			nested, err := convertAttributes(a.NestedType.Attributes)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			converted.NestedType = &nestedType{
				Attributes:  nested,
				NestingMode: objectNesting(a.NestedType.Nesting),
			}
		case a.Type != nil:
			t, err := typeJSON(a.Type)
			if err != nil {
				return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
			}
			converted.Type = t
		}
		out[a.Name] = converted
	}
	return out, nil
}

func convertIdentity(s *tfprotov6.ResourceIdentitySchema) (*identitySchema, error) {
	out := &identitySchema{Version: s.Version, Attributes: map[string]*identityAttribute{}}
	for _, a := range s.IdentityAttributes {
		t, err := typeJSON(a.Type)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", a.Name, err)
		}
		out.Attributes[a.Name] = &identityAttribute{
			Type:              t,
			Description:       a.Description,
			RequiredForImport: a.RequiredForImport,
			OptionalForImport: a.OptionalForImport,
		}
	}
	return out, nil
}

// typeJSON writes a type the way Terraform's JSON does, in cty's type notation:
// "string", ["list","string"], ["object",{"a":"bool"},["a"]] and so on.
func typeJSON(t tftypes.Type) (json.RawMessage, error) {
	v, err := typeNotation(t)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func typeNotation(t tftypes.Type) (any, error) {
	switch {
	case t == nil:
		return nil, errors.New("attribute has no type")
	case t.Is(tftypes.String):
		return "string", nil
	case t.Is(tftypes.Number):
		return "number", nil
	case t.Is(tftypes.Bool):
		return "bool", nil
	case t.Is(tftypes.DynamicPseudoType):
		return "dynamic", nil
	}
	switch t := t.(type) {
	case tftypes.List:
		return collectionNotation("list", t.ElementType)
	case tftypes.Set:
		return collectionNotation("set", t.ElementType)
	case tftypes.Map:
		return collectionNotation("map", t.ElementType)
	case tftypes.Tuple:
		elems := make([]any, len(t.ElementTypes))
		for i, et := range t.ElementTypes {
			n, err := typeNotation(et)
			if err != nil {
				return nil, err
			}
			elems[i] = n
		}
		return []any{"tuple", elems}, nil
	case tftypes.Object:
		attrs := make(map[string]any, len(t.AttributeTypes))
		for name, at := range t.AttributeTypes {
			n, err := typeNotation(at)
			if err != nil {
				return nil, err
			}
			attrs[name] = n
		}
		if len(t.OptionalAttributes) == 0 {
			return []any{"object", attrs}, nil
		}
		optional := make([]string, 0, len(t.OptionalAttributes))
		for name := range t.OptionalAttributes {
			optional = append(optional, name)
		}
		sort.Strings(optional)
		return []any{"object", attrs, optional}, nil
	}
	return nil, fmt.Errorf("type %s has no JSON notation here; extend tools/providerschema", t)
}

func collectionNotation(kind string, elem tftypes.Type) (any, error) {
	n, err := typeNotation(elem)
	if err != nil {
		return nil, err
	}
	return []any{kind, n}, nil
}

// stringKind names a description's kind as Terraform's JSON does.
func stringKind(k tfprotov6.StringKind) string {
	if k == tfprotov6.StringKindMarkdown {
		return "markdown"
	}
	return "plain"
}

func blockNesting(m tfprotov6.SchemaNestedBlockNestingMode) string {
	return map[tfprotov6.SchemaNestedBlockNestingMode]string{
		tfprotov6.SchemaNestedBlockNestingModeSingle: "single",
		tfprotov6.SchemaNestedBlockNestingModeList:   "list",
		tfprotov6.SchemaNestedBlockNestingModeSet:    "set",
		tfprotov6.SchemaNestedBlockNestingModeMap:    "map",
		tfprotov6.SchemaNestedBlockNestingModeGroup:  "group",
	}[m]
}

func objectNesting(m tfprotov6.SchemaObjectNestingMode) string {
	return map[tfprotov6.SchemaObjectNestingMode]string{
		tfprotov6.SchemaObjectNestingModeSingle: "single",
		tfprotov6.SchemaObjectNestingModeList:   "list",
		tfprotov6.SchemaObjectNestingModeSet:    "set",
		tfprotov6.SchemaObjectNestingModeMap:    "map",
	}[m]
}

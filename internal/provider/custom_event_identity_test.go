package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

const eventType = "pinterest_custom_event"

// protoProvider drives the provider through protocol 6 calls, for the features the
// Terraform CLI of the test machine may lack: identity needs Terraform 1.12, list
// resources 1.14.
type protoProvider struct {
	t      testing.TB
	server tfprotov6.ProviderServer
	// lister is the same server, seen through the interface that holds ListResource
	// while terraform-plugin-go keeps it out of ProviderServer.
	lister tfprotov6.ListResourceServer
	schema *tfprotov6.GetProviderSchemaResponse
	// identity is the type of the custom event's identity.
	identity tftypes.Type
}

// newProtoProvider returns the provider, configured to call the emulator with the token
// and, unless empty, the default ad account.
func newProtoProvider(t testing.TB, emu *testEmulator, token, defaultAccount string) *protoProvider {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	checkNoErrors(t, "GetProviderSchema", schema.Diagnostics)
	identities, err := server.GetResourceIdentitySchemas(ctx,
		&tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	checkNoErrors(t, "GetResourceIdentitySchemas", identities.Diagnostics)
	if identities.IdentitySchemas[eventType] == nil {
		t.Fatalf("no identity schema for %s", eventType)
	}
	lister, ok := server.(tfprotov6.ListResourceServer)
	if !ok {
		t.Fatalf("the provider server %T cannot list resources", server)
	}
	p := &protoProvider{t: t, server: server, lister: lister, schema: schema,
		identity: identities.IdentitySchemas[eventType].ValueType()}

	settings := map[string]any{"base_url": emu.baseURL, "access_token": token}
	if defaultAccount != "" {
		settings["ad_account_id"] = defaultAccount
	}
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.14.0",
		Config:           p.dynamic(objectOf(schema.Provider.ValueType(), settings)),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkNoErrors(t, "ConfigureProvider", resp.Diagnostics)
	return p
}

// resourceType is the type of the custom event's state.
func (p *protoProvider) resourceType() tftypes.Type {
	return p.schema.ResourceSchemas[eventType].ValueType()
}

// eventState is a state or plan of the custom event; a nil value stays null.
func (p *protoProvider) eventState(id, account, name, mapping any) tftypes.Value {
	return objectOf(p.resourceType(), map[string]any{
		"id": id, "ad_account_id": account, "name": name, "mapped_conversion_type": mapping,
	})
}

// identityValue is an identity of the custom event; a nil part stays null.
func (p *protoProvider) identityValue(account, name any) tftypes.Value {
	return objectOf(p.identity, map[string]any{"ad_account_id": account, "name": name})
}

func (p *protoProvider) identityData(v tftypes.Value) *tfprotov6.ResourceIdentityData {
	return &tfprotov6.ResourceIdentityData{IdentityData: p.dynamic(v)}
}

func (p *protoProvider) dynamic(v tftypes.Value) *tfprotov6.DynamicValue {
	p.t.Helper()
	dv, err := tfprotov6.NewDynamicValue(v.Type(), v)
	if err != nil {
		p.t.Fatal(err)
	}
	return &dv
}

// decode returns the attributes of an object the provider answered, or nil when the
// object is null.
func (p *protoProvider) decode(dv *tfprotov6.DynamicValue, typ tftypes.Type) map[string]string {
	p.t.Helper()
	if dv == nil {
		return nil
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		p.t.Fatal(err)
	}
	if v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		p.t.Fatal(err)
	}
	out := make(map[string]string, len(attrs))
	for name, a := range attrs {
		if !a.Type().Is(tftypes.String) {
			out[name] = fmt.Sprintf("<%s>", a)
			if a.IsNull() {
				out[name] = "<null>"
			}
			continue
		}
		var s *string
		if err := a.As(&s); err != nil {
			p.t.Fatal(err)
		}
		out[name] = "<null>"
		if s != nil {
			out[name] = *s
		}
	}
	return out
}

func (p *protoProvider) decodeIdentity(id *tfprotov6.ResourceIdentityData) map[string]string {
	p.t.Helper()
	if id == nil {
		return nil
	}
	return p.decode(id.IdentityData, p.identity)
}

// importByIdentity imports with an import block's identity and returns the one
// imported resource.
func (p *protoProvider) importByIdentity(account, name any) (*tfprotov6.ImportedResource, []*tfprotov6.Diagnostic) {
	p.t.Helper()
	resp, err := p.server.ImportResourceState(context.Background(),
		&tfprotov6.ImportResourceStateRequest{
			TypeName: eventType,
			Identity: p.identityData(p.identityValue(account, name)),
		})
	if err != nil {
		p.t.Fatal(err)
	}
	if len(resp.ImportedResources) == 0 {
		return nil, resp.Diagnostics
	}
	return resp.ImportedResources[0], resp.Diagnostics
}

// read refreshes a state with its prior identity, which may be nil.
func (p *protoProvider) read(state tftypes.Value, identity *tfprotov6.ResourceIdentityData, private []byte) *tfprotov6.ReadResourceResponse {
	p.t.Helper()
	resp, err := p.server.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{
		TypeName:        eventType,
		CurrentState:    p.dynamic(state),
		CurrentIdentity: identity,
		Private:         private,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// planAndApply plans the change from prior to config, as Terraform would, and applies it.
func (p *protoProvider) planAndApply(prior, config tftypes.Value, proposed tftypes.Value, priorIdentity *tfprotov6.ResourceIdentityData) *tfprotov6.ApplyResourceChangeResponse {
	p.t.Helper()
	ctx := context.Background()
	plan, err := p.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName:         eventType,
		PriorState:       p.dynamic(prior),
		ProposedNewState: p.dynamic(proposed),
		Config:           p.dynamic(config),
		PriorIdentity:    priorIdentity,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	checkNoErrors(p.t, "PlanResourceChange", plan.Diagnostics)
	apply, err := p.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName:        eventType,
		PriorState:      p.dynamic(prior),
		PlannedState:    plan.PlannedState,
		Config:          p.dynamic(config),
		PlannedPrivate:  plan.PlannedPrivate,
		PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return apply
}

// objectOf builds an object of the type from Go strings, tftypes values and nils;
// attributes left out, or nil, are null.
func objectOf(typ tftypes.Type, values map[string]any) tftypes.Value {
	obj := typ.(tftypes.Object)
	attrs := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		switch v := values[name].(type) {
		case string:
			attrs[name] = tftypes.NewValue(at, v)
		case tftypes.Value:
			attrs[name] = v
		default:
			attrs[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, attrs)
}

func checkNoErrors(t testing.TB, call string, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s: %s", call, d.Summary, d.Detail)
		}
	}
}

// findDiagnostic returns the first diagnostic of that severity and summary, or nil.
func findDiagnostic(diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, summary string) *tfprotov6.Diagnostic {
	for _, d := range diags {
		if d.Severity == severity && d.Summary == summary {
			return d
		}
	}
	return nil
}

func checkIdentity(t *testing.T, got map[string]string, account, name string) {
	t.Helper()
	if got["ad_account_id"] != account || got["name"] != name {
		t.Errorf("identity is %v, want ad_account_id %s and name %s", got, account, name)
	}
}

func TestCustomEventIdentity_schemaRequiresBothPartsForImport(t *testing.T) {
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetResourceIdentitySchemas(context.Background(),
		&tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	checkNoErrors(t, "GetResourceIdentitySchemas", resp.Diagnostics)
	schema := resp.IdentitySchemas[eventType]
	if schema == nil {
		t.Fatalf("no identity schema for %s; have %v", eventType, resp.IdentitySchemas)
	}
	attrs := map[string]*tfprotov6.ResourceIdentitySchemaAttribute{}
	for _, a := range schema.IdentityAttributes {
		attrs[a.Name] = a
	}
	if len(attrs) != 2 {
		t.Errorf("identity has attributes %v, want ad_account_id and name", attrs)
	}
	for _, name := range []string{"ad_account_id", "name"} {
		a := attrs[name]
		switch {
		case a == nil:
			t.Errorf("identity has no %s", name)
		case !a.Type.Is(tftypes.String):
			t.Errorf("identity %s is %s, want a string", name, a.Type)
		case !a.RequiredForImport || a.OptionalForImport:
			t.Errorf("identity %s is not required for import", name)
		case a.Description == "":
			t.Errorf("identity %s has no description", name)
		}
	}

	// The provider schema must still hold the resource, now with its list resource.
	schemas, err := server.GetProviderSchema(context.Background(),
		&tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	checkNoErrors(t, "GetProviderSchema", schemas.Diagnostics)
	if schemas.ResourceSchemas[eventType] == nil || schemas.ListResourceSchemas[eventType] == nil {
		t.Errorf("provider schema lacks the %s resource or list resource", eventType)
	}
}

func TestCustomEventIdentity_importByIdentityAdoptsPinterestCaseInStateOnly(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount, emulator.Event{Name: "Checkout_Step",
		MappingType: emulator.String("INITIATE_CHECKOUT")})
	p := newProtoProvider(t, emu, testToken, "")

	imported, diags := p.importByIdentity(testAccount, "checkout_step")
	checkNoErrors(t, "ImportResourceState", diags)
	if imported == nil {
		t.Fatal("nothing imported")
	}
	state := p.decode(imported.State, p.resourceType())
	if state["id"] != testAccount+"/checkout_step" || state["ad_account_id"] != testAccount ||
		state["name"] != "checkout_step" {
		t.Errorf("imported state is %v", state)
	}
	checkIdentity(t, p.decodeIdentity(imported.Identity), testAccount, "checkout_step")

	// The Read that follows an import takes the name's case from Pinterest; the
	// identity, given by the user, stays as it was.
	importedState, err := imported.State.Unmarshal(p.resourceType())
	if err != nil {
		t.Fatal(err)
	}
	read := p.read(importedState, imported.Identity, imported.Private)
	checkNoErrors(t, "ReadResource", read.Diagnostics)
	got := p.decode(read.NewState, p.resourceType())
	if got["name"] != "Checkout_Step" || got["mapped_conversion_type"] != "INITIATE_CHECKOUT" ||
		got["id"] != testAccount+"/Checkout_Step" {
		t.Errorf("state after the import's Read is %v", got)
	}
	checkIdentity(t, p.decodeIdentity(read.NewIdentity), testAccount, "checkout_step")
}

func TestCustomEventIdentity_importByIdentityRefusesMalformedParts(t *testing.T) {
	emu := newTestEmulator(t)
	p := newProtoProvider(t, emu, testToken, "")
	cases := map[string]struct {
		account, name any
		attr, want    string
	}{
		"no ad account":           {nil, "Valid", "ad_account_id", "needs both"},
		"no name":                 {testAccount, nil, "name", "needs both"},
		"ad account with letters": {"54975588517a", "Valid", "ad_account_id", "only decimal digits"},
		"ad account too long":     {"1234567890123456789", "Valid", "ad_account_id", "at most 18 digits"},
		"name with a space":       {testAccount, "Checkout Step", "name", "may use only letters"},
		"name too long":           {testAccount, strings.Repeat("a", 101), "name", "at most 100"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			imported, diags := p.importByIdentity(tc.account, tc.name)
			if imported != nil {
				t.Errorf("imported %v despite a malformed identity", imported)
			}
			d := findDiagnostic(diags, tfprotov6.DiagnosticSeverityError, "Invalid Import Identity")
			if d == nil {
				t.Fatalf("no Invalid Import Identity error; got %v", diags)
			}
			if !strings.Contains(d.Detail, tc.want) || !strings.Contains(d.Detail, tc.attr) {
				t.Errorf("detail %q does not say %q about %s", d.Detail, tc.want, tc.attr)
			}
			if d.Attribute == nil || !d.Attribute.Equal(tftypes.NewAttributePath().WithAttributeName(tc.attr)) {
				t.Errorf("error is on %v, want %s", d.Attribute, tc.attr)
			}
		})
	}
	if n := emu.RequestCount(""); n != 0 {
		t.Errorf("a malformed identity sent %d requests", n)
	}
}

func TestCustomEventIdentity_importByIDSetsIdentity(t *testing.T) {
	emu := newTestEmulator(t)
	p := newProtoProvider(t, emu, testToken, "")
	resp, err := p.server.ImportResourceState(context.Background(),
		&tfprotov6.ImportResourceStateRequest{TypeName: eventType, ID: testAccount + "/Lead_Form"})
	if err != nil {
		t.Fatal(err)
	}
	checkNoErrors(t, "ImportResourceState", resp.Diagnostics)
	if len(resp.ImportedResources) != 1 {
		t.Fatalf("imported %d resources, want 1", len(resp.ImportedResources))
	}
	state := p.decode(resp.ImportedResources[0].State, p.resourceType())
	if state["id"] != testAccount+"/Lead_Form" || state["name"] != "Lead_Form" {
		t.Errorf("imported state is %v", state)
	}
	checkIdentity(t, p.decodeIdentity(resp.ImportedResources[0].Identity), testAccount, "Lead_Form")

	bad, err := p.server.ImportResourceState(context.Background(),
		&tfprotov6.ImportResourceStateRequest{TypeName: eventType, ID: "Lead_Form"})
	if err != nil {
		t.Fatal(err)
	}
	if findDiagnostic(bad.Diagnostics, tfprotov6.DiagnosticSeverityError, "Invalid Import ID") == nil {
		t.Errorf("an id without '/' gave %v, want Invalid Import ID", bad.Diagnostics)
	}
}

func TestCustomEventIdentity_readKeepsIdentity(t *testing.T) {
	emu := newTestEmulator(t)
	emu.Seed(testAccount, emulator.Event{Name: "Checkout_Step", MappingType: emulator.String("CHECKOUT")})
	// Pinterest answering in another case must change neither the state nor the identity.
	emu.SetLowercaseNames(true)
	p := newProtoProvider(t, emu, testToken, "")
	state := p.eventState(testAccount+"/Checkout_Step", testAccount, "Checkout_Step", "CHECKOUT")

	t.Run("prior identity", func(t *testing.T) {
		prior := p.identityData(p.identityValue(testAccount, "Checkout_Step"))
		resp := p.read(state, prior, nil)
		checkNoErrors(t, "ReadResource", resp.Diagnostics)
		if got := p.decode(resp.NewState, p.resourceType()); got["name"] != "Checkout_Step" {
			t.Errorf("state after Read is %v", got)
		}
		checkIdentity(t, p.decodeIdentity(resp.NewIdentity), testAccount, "Checkout_Step")
	})
	t.Run("state from before identity", func(t *testing.T) {
		resp := p.read(state, nil, nil)
		checkNoErrors(t, "ReadResource", resp.Diagnostics)
		checkIdentity(t, p.decodeIdentity(resp.NewIdentity), testAccount, "Checkout_Step")
	})
	t.Run("prior identity in another case", func(t *testing.T) {
		// An identity stored by an import that spelled the name another way.
		prior := p.identityData(p.identityValue(testAccount, "CHECKOUT_STEP"))
		resp := p.read(state, prior, nil)
		checkNoErrors(t, "ReadResource", resp.Diagnostics)
		checkIdentity(t, p.decodeIdentity(resp.NewIdentity), testAccount, "CHECKOUT_STEP")
	})
}

func TestCustomEventIdentity_readOfVanishedEventStillAnswersIdentity(t *testing.T) {
	emu := newTestEmulator(t)
	p := newProtoProvider(t, emu, testToken, "")
	state := p.eventState(testAccount+"/Gone", testAccount, "Gone", "LEAD")

	for name, prior := range map[string]*tfprotov6.ResourceIdentityData{
		"prior identity":             p.identityData(p.identityValue(testAccount, "Gone")),
		"state from before identity": nil,
	} {
		t.Run(name, func(t *testing.T) {
			resp := p.read(state, prior, nil)
			checkNoErrors(t, "ReadResource", resp.Diagnostics)
			if got := p.decode(resp.NewState, p.resourceType()); got != nil {
				t.Errorf("a vanished event stays in the state as %v", got)
			}
			if findDiagnostic(resp.Diagnostics, tfprotov6.DiagnosticSeverityWarning,
				"Custom Event No Longer Tracked") == nil {
				t.Errorf("no drift warning; got %v", resp.Diagnostics)
			}
			checkIdentity(t, p.decodeIdentity(resp.NewIdentity), testAccount, "Gone")
		})
	}
}

func TestCustomEventIdentity_createAndCaseOnlyUpdate(t *testing.T) {
	emu := newTestEmulator(t)
	p := newProtoProvider(t, emu, testToken, testAccount)
	null := tftypes.NewValue(p.resourceType(), nil)

	// Create, with the provider's default ad account filled in by the plan.
	config := p.eventState(nil, nil, "Checkout_Step", "CHECKOUT")
	created := p.planAndApply(null, config, config, nil)
	checkNoErrors(t, "ApplyResourceChange", created.Diagnostics)
	state := p.decode(created.NewState, p.resourceType())
	if state["id"] != testAccount+"/Checkout_Step" || state["ad_account_id"] != testAccount {
		t.Errorf("created state is %v", state)
	}
	checkIdentity(t, p.decodeIdentity(created.NewIdentity), testAccount, "Checkout_Step")
	if _, ok := emu.event(testAccount, "Checkout_Step"); !ok {
		t.Fatalf("the emulator holds %v", emu.Events(testAccount))
	}

	// A change of case alone updates the state in place and keeps the identity.
	writes := emu.writes()
	prior, err := created.NewState.Unmarshal(p.resourceType())
	if err != nil {
		t.Fatal(err)
	}
	config = p.eventState(nil, nil, "checkout_step", "CHECKOUT")
	proposed := p.eventState(testAccount+"/Checkout_Step", testAccount, "checkout_step", "CHECKOUT")
	updated := p.planAndApply(prior, config, proposed, created.NewIdentity)
	checkNoErrors(t, "ApplyResourceChange", updated.Diagnostics)
	state = p.decode(updated.NewState, p.resourceType())
	if state["name"] != "checkout_step" || state["id"] != testAccount+"/checkout_step" {
		t.Errorf("state after the change of case is %v", state)
	}
	checkIdentity(t, p.decodeIdentity(updated.NewIdentity), testAccount, "Checkout_Step")
	if got := emu.writes(); got != writes {
		t.Errorf("a change of case sent %d write requests, want 0", got-writes)
	}

	// A later Read keeps it too.
	after, err := updated.NewState.Unmarshal(p.resourceType())
	if err != nil {
		t.Fatal(err)
	}
	read := p.read(after, updated.NewIdentity, updated.Private)
	checkNoErrors(t, "ReadResource", read.Diagnostics)
	checkIdentity(t, p.decodeIdentity(read.NewIdentity), testAccount, "Checkout_Step")
}

func TestAccCustomEvent_importByIdentity(t *testing.T) {
	emu := newTestEmulator(t)
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{
			tfversion.SkipBelow(tfversion.Version1_12_0),
		},
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		CheckDestroy:             emu.checkDestroyed,
		Steps: []resource.TestStep{
			{
				Config: emu.providerConfig() + eventConfig(testAccount, "Checkout_Step", "CHECKOUT"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(eventAddr, map[string]knownvalue.Check{
						"ad_account_id": knownvalue.StringExact(testAccount),
						"name":          knownvalue.StringExact("Checkout_Step"),
					}),
				},
			},
			{
				// An import block with the identity of the previous step, which must plan
				// as a no-op.
				ResourceName:    eventAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
			{
				// A change of case alone keeps the identity.
				Config: emu.providerConfig() + eventConfig(testAccount, "checkout_step", "CHECKOUT"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eventAddr, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(eventAddr, map[string]knownvalue.Check{
						"ad_account_id": knownvalue.StringExact(testAccount),
						"name":          knownvalue.StringExact("Checkout_Step"),
					}),
				},
			},
		},
	})
}

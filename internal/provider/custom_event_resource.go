package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

// Default timeouts of the resource's operations, retries included.
const (
	defaultWriteTimeout = 10 * time.Minute
	defaultReadTimeout  = 5 * time.Minute
)

// importedKey marks, in private state, a resource whose next Read follows an import, so
// that Read adopts the name's case from Pinterest rather than from the import id.
const importedKey = "imported"

var (
	_ resource.Resource                = (*customEventResource)(nil)
	_ resource.ResourceWithConfigure   = (*customEventResource)(nil)
	_ resource.ResourceWithImportState = (*customEventResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*customEventResource)(nil)
	_ resource.ResourceWithIdentity    = (*customEventResource)(nil)
)

// NewCustomEventResource returns the pinterest_custom_event resource.
func NewCustomEventResource() resource.Resource {
	return &customEventResource{}
}

type customEventResource struct {
	data *providerData
}

// customEventModel is the resource's configuration, plan and state.
type customEventModel struct {
	ID                   types.String   `tfsdk:"id"`
	AdAccountID          types.String   `tfsdk:"ad_account_id"`
	Name                 types.String   `tfsdk:"name"`
	MappedConversionType types.String   `tfsdk:"mapped_conversion_type"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

// customEventIdentityModel is the resource's identity: the ad account and the name,
// which together pick one custom event, as the API has no event id.
type customEventIdentityModel struct {
	AdAccountID types.String `tfsdk:"ad_account_id"`
	Name        types.String `tfsdk:"name"`
}

func (r *customEventResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_event"
}

func (r *customEventResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A custom conversion event of an ad account, mapped to one of " +
			"Pinterest's standard event types so that Pinterest can report on it and " +
			"optimise campaigns for it. Destroying it untracks the event: Pinterest stops " +
			"tracking it, and its past data stays.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description: "`<ad_account_id>/<name>`, the form import takes.",
				Computed:    true,
			},
			"ad_account_id": schema.StringAttribute{
				Description: "Ad account the event belongs to: 1 to 18 digits. Defaults to " +
					"the provider's `ad_account_id`. Changing it replaces the event.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{adAccountIDValidator{}},
			},
			"name": schema.StringAttribute{
				Description: "Name of the event, as the tag and the Conversions API send it: " +
					"1 to 100 letters, digits, `_` and `-`. Pinterest compares names " +
					"without regard to case, so a change of case alone changes nothing on " +
					"Pinterest's side; any other change replaces the event.",
				Required:   true,
				Validators: []validator.String{nameValidator{}},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(nameChangeRequiresReplace,
						"Replaces the event unless only the case of the name changed.",
						"Replaces the event unless only the case of the name changed."),
				},
			},
			"mapped_conversion_type": schema.StringAttribute{
				Description: "Standard event type the custom event is mapped to. A change " +
					"is made in place. One of: " + quotedList(pinterest.WritableMappingTypeStrings()) + ".",
				Required: true,
				Validators: []validator.String{
					stringvalidator.OneOf(pinterest.WritableMappingTypeStrings()...),
				},
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{
				Create: true, Read: true, Update: true, Delete: true,
			}),
		},
	}
}

func (r *customEventResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"ad_account_id": identityschema.StringAttribute{
				Description:       "Ad account the event belongs to: 1 to 18 digits.",
				RequiredForImport: true,
			},
			"name": identityschema.StringAttribute{
				Description: "Name of the event. Pinterest compares names without regard " +
					"to case, so any spelling finds the event; the identity keeps the " +
					"spelling it was first stored with, even when the name's case changes " +
					"later.",
				RequiredForImport: true,
			},
		},
	}
}

// nameChangeRequiresReplace replaces the event for a real rename only: the API has no
// rename, and it treats names that differ only in case as one event.
func nameChangeRequiresReplace(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
	resp.RequiresReplace = !pinterest.SameName(req.StateValue.ValueString(),
		req.PlanValue.ValueString())
}

func (r *customEventResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan fills in the provider's default ad account, which must be known at plan
// time so that a change of default shows as a replacement, and the id.
func (r *customEventResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan, config customEventModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if config.AdAccountID.IsNull() {
		def := ""
		if r.data != nil {
			def = r.data.adAccountID
		}
		if def == "" {
			resp.Diagnostics.AddAttributeError(path.Root("ad_account_id"),
				"Missing Ad Account ID",
				"Set ad_account_id on the resource, or a default ad_account_id in the "+
					"provider block (or the "+envAdAccountID+" environment variable).")
			return
		}
		plan.AdAccountID = types.StringValue(def)
	}
	if !req.State.Raw.IsNull() {
		var state customEventModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if !plan.AdAccountID.IsUnknown() && !plan.AdAccountID.Equal(state.AdAccountID) {
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("ad_account_id"))
		}
	}
	plan.ID = types.StringUnknown()
	if !plan.AdAccountID.IsUnknown() && !plan.Name.IsUnknown() {
		plan.ID = types.StringValue(eventID(plan.AdAccountID.ValueString(),
			plan.Name.ValueString()))
	}

	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *customEventResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan customEventModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account, name := plan.AdAccountID.ValueString(), plan.Name.ValueString()
	end := r.data.store.Begin(account)
	defer end()
	ctx, cancel, diags := withTimeout(ctx, plan.Timeouts.Create, defaultWriteTimeout)
	resp.Diagnostics.Append(diags...)
	defer cancel()

	event := pinterest.Event{Name: name,
		MappingType: pinterest.MappingType(plan.MappedConversionType.ValueString())}
	ctx = tflog.SetField(ctx, "ad_account_id", account)
	ctx = tflog.SetField(ctx, "event_name", name)
	tflog.Debug(ctx, "Creating custom event")
	if err := r.data.store.Create(ctx, account, event); err != nil {
		f := failure{op: opCreate, adAccountID: account, name: name}
		if errors.Is(err, pinterest.ErrEventLimit) {
			// Naming the events that fill the account saves the user a trip to Ads Manager.
			f.existing, _ = r.data.store.Events(ctx, account)
		}
		f.tainted = pinterest.MayHaveSucceeded(err)
		resp.Diagnostics.Append(f.diagnose(err))
		if f.tainted {
			// No answer said whether Pinterest created the event. Returning the state
			// with the error makes Terraform keep it as tainted, so the next apply
			// replaces it: untrack (harmless if it was never created), then create.
			// Dropping it instead would make the next create fail as a duplicate.
			plan.ID = types.StringValue(eventID(account, name))
			resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
			resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, account, name)...)
		}
		return
	}

	plan.ID = types.StringValue(eventID(account, name))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, account, name)...)
}

func (r *customEventResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state customEventModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account, name := state.AdAccountID.ValueString(), state.Name.ValueString()
	// Set first, as every Read must answer with an identity, the one that removes a
	// vanished event included. State written by a Terraform or provider version
	// without identity gets its identity here.
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, account, name)...)
	if resp.Diagnostics.HasError() {
		return
	}
	end := r.data.store.Begin(account)
	defer end()
	ctx, cancel, diags := withTimeout(ctx, state.Timeouts.Read, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	defer cancel()

	events, err := r.data.store.Events(ctx, account)
	if err != nil {
		resp.Diagnostics.Append(failure{op: opRead, adAccountID: account, name: name}.diagnose(err))
		return
	}

	event, found := findEvent(events, name)
	if !found {
		resp.Diagnostics.AddWarning("Custom Event No Longer Tracked",
			fmt.Sprintf("Custom event %q of ad account %s is not tracked by Pinterest: it "+
				"was untracked outside Terraform, or a create whose answer was lost never "+
				"happened. It is removed from the state, and the next plan creates it "+
				"again unless you remove it from the configuration.",
				name, account))
		resp.State.RemoveResource(ctx)
		return
	}
	imported, diags := req.Private.GetKey(ctx, importedKey)
	resp.Diagnostics.Append(diags...)
	if imported != nil {
		// After an import, the name's case comes from Pinterest, so that a generated
		// configuration matches what Ads Manager shows.
		state.Name = types.StringValue(event.Name)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, nil)...)
	}
	// Otherwise the configured case is kept: Pinterest treats both as one name.
	state.MappedConversionType = mappingValue(event.MappingType)
	state.ID = types.StringValue(eventID(account, state.Name.ValueString()))

	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *customEventResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state customEventModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account, name := plan.AdAccountID.ValueString(), plan.Name.ValueString()
	end := r.data.store.Begin(account)
	defer end()
	ctx, cancel, diags := withTimeout(ctx, plan.Timeouts.Update, defaultWriteTimeout)
	resp.Diagnostics.Append(diags...)
	defer cancel()

	// A change of case alone needs no request: Pinterest sees the same name.
	if !plan.MappedConversionType.Equal(state.MappedConversionType) {
		event := pinterest.Event{Name: name,
			MappingType: pinterest.MappingType(plan.MappedConversionType.ValueString())}
		ctx = tflog.SetField(ctx, "ad_account_id", account)
		ctx = tflog.SetField(ctx, "event_name", name)
		tflog.Debug(ctx, "Updating custom event mapping")
		if err := r.data.store.UpdateMapping(ctx, account, event); err != nil {
			resp.Diagnostics.Append(failure{op: opUpdate, adAccountID: account, name: name}.diagnose(err))
			return
		}
	}

	plan.ID = types.StringValue(eventID(account, name))
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, account, name)...)
}

func (r *customEventResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state customEventModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account, name := state.AdAccountID.ValueString(), state.Name.ValueString()
	end := r.data.store.Begin(account)
	defer end()
	ctx, cancel, diags := withTimeout(ctx, state.Timeouts.Delete, defaultWriteTimeout)
	resp.Diagnostics.Append(diags...)
	defer cancel()

	ctx = tflog.SetField(ctx, "ad_account_id", account)
	ctx = tflog.SetField(ctx, "event_name", name)
	tflog.Debug(ctx, "Untracking custom event")
	err := r.data.store.Untrack(ctx, account, name)
	if errors.Is(err, pinterest.ErrEventNotFound) {
		tflog.Info(ctx, "Custom event was already untracked")
		return
	}
	if err != nil {
		resp.Diagnostics.Append(failure{op: opUntrack, adAccountID: account, name: name}.diagnose(err))
	}
}

// ImportState takes either an id, from the import command or an import block's id, or
// an identity, from an import block's identity (Terraform 1.12 and later).
func (r *customEventResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var account, name string
	if req.ID != "" {
		var err error
		account, name, err = parseEventID(req.ID)
		if err != nil {
			resp.Diagnostics.AddError("Invalid Import ID", err.Error())
			return
		}
	} else {
		account, name = importedIdentity(ctx, req.Identity, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}

	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), eventID(account, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ad_account_id"), account)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(setIdentity(ctx, resp.Identity, account, name)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, importedKey, []byte("true"))...)
}

// importedIdentity reads and checks the identity an import block gave, reporting on the
// identity's attribute whatever is missing or malformed.
func importedIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) (adAccountID, name string) {
	if identity == nil || identity.Raw.IsNull() {
		diags.AddError("Missing Import ID or Identity",
			"The import gave neither an id nor an identity. Import a custom event by its "+
				"id, <ad_account_id>/<name>, or by an identity with ad_account_id and name.")
		return "", ""
	}
	var id customEventIdentityModel
	diags.Append(identity.Get(ctx, &id)...)
	if diags.HasError() {
		return "", ""
	}

	for _, part := range []struct {
		attr  string
		value types.String
		check func(string) error
		hint  string
	}{
		{"ad_account_id", id.AdAccountID, pinterest.ValidateAdAccountID,
			"Use the numeric id of the ad account, as shown in Ads Manager's address bar."},
		{"name", id.Name, pinterest.ValidateName,
			"Use the event's name as Ads Manager shows it; its case does not matter."},
	} {
		if part.value.IsNull() || part.value.IsUnknown() {
			diags.AddAttributeError(path.Root(part.attr), "Invalid Import Identity",
				fmt.Sprintf("The import identity has no %s: a custom event is found by its "+
					"ad account and name together, so the identity needs both. %s",
					part.attr, part.hint))
			continue
		}
		if err := part.check(part.value.ValueString()); err != nil {
			diags.AddAttributeError(path.Root(part.attr), "Invalid Import Identity",
				fmt.Sprintf("The import identity's %s, %q, is not usable: %v. %s", part.attr,
					part.value.ValueString(), err, part.hint))
		}
	}
	return id.AdAccountID.ValueString(), id.Name.ValueString()
}

// setIdentity stores the identity of the custom event with this ad account and name,
// keeping the identity already there whenever it names the same event.
//
// Terraform refuses any change of identity over an object's life, while Pinterest
// compares names without regard to case: the configuration may change a name's case
// alone (an in-place update that sends nothing), and an import or Pinterest's answers
// may spell it another way, all without the event changing. So the identity keeps the
// spelling it was first stored with, and is made from the given values only when there
// is none yet: on create, on import, and for state written before the resource had an
// identity.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, adAccountID, name string) diag.Diagnostics {
	if identity == nil {
		return nil
	}
	if !identity.Raw.IsNull() {
		var prior customEventIdentityModel
		diags := identity.Get(ctx, &prior)
		if diags.HasError() {
			return diags
		}
		if prior.AdAccountID.ValueString() == adAccountID &&
			pinterest.SameName(prior.Name.ValueString(), name) {
			return nil
		}
	}
	return identity.Set(ctx, customEventIdentityModel{
		AdAccountID: types.StringValue(adAccountID),
		Name:        types.StringValue(name),
	})
}

// findEvent looks a name up the way Pinterest does, without regard to case.
func findEvent(events []pinterest.Event, name string) (pinterest.Event, bool) {
	for _, e := range events {
		if pinterest.SameName(e.Name, name) {
			return e, true
		}
	}
	return pinterest.Event{}, false
}

// mappingValue turns a mapping as read into a Terraform value: null stays null, and
// read-only types are kept as they are so that the plan shows them.
func mappingValue(t pinterest.MappingType) types.String {
	if t == "" {
		return types.StringNull()
	}
	return types.StringValue(string(t))
}

// withTimeout bounds ctx by the configured timeout of the operation, or by def.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration) (context.Context, context.CancelFunc, diag.Diagnostics) {
	d, diags := get(ctx, def)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, diags
}

// configuredData unpacks the provider's data for a resource or data source. It is nil
// before the provider is configured, which the framework allows for some calls.
func configuredData(v any, diags *diag.Diagnostics) *providerData {
	if v == nil {
		return nil
	}
	data, ok := v.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; "+
				"please report it.", v))
		return nil
	}
	return data
}

func quotedList(values []string) string {
	out := ""
	for i, v := range values {
		if i > 0 {
			out += ", "
		}
		out += "`" + v + "`"
	}
	return out
}

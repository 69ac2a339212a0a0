package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/conversionops/terraform-provider-pinterest/internal/pinterest"
)

var (
	_ datasource.DataSource              = (*customEventsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*customEventsDataSource)(nil)
)

// NewCustomEventsDataSource returns the pinterest_custom_events data source.
func NewCustomEventsDataSource() datasource.DataSource {
	return &customEventsDataSource{}
}

type customEventsDataSource struct {
	data *providerData
}

type customEventsDataModel struct {
	ID          types.String         `tfsdk:"id"`
	AdAccountID types.String         `tfsdk:"ad_account_id"`
	Events      []customEventSummary `tfsdk:"events"`
}

type customEventSummary struct {
	Name                 types.String `tfsdk:"name"`
	MappedConversionType types.String `tfsdk:"mapped_conversion_type"`
}

func (d *customEventsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_events"
}

func (d *customEventsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Lists every custom event of an ad account, whether or not Terraform " +
			"manages it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description: "The ad account id.",
				Computed:    true,
			},
			"ad_account_id": schema.StringAttribute{
				Description: "Ad account to list. Defaults to the provider's `ad_account_id`.",
				Optional:    true,
				Computed:    true,
				Validators:  []validator.String{adAccountIDValidator{}},
			},
			"events": schema.ListNestedAttribute{
				Description: "The ad account's custom events, ordered by name without regard " +
					"to case, so that the order is stable between runs.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							Description: "Name of the event, as Pinterest returns it.",
							Computed:    true,
						},
						"mapped_conversion_type": schema.StringAttribute{
							Description: "Standard event type the event is mapped to. " +
								"Pinterest may report types a mapping cannot be set to (such " +
								"as `CUSTOM` or `PAGE_LOAD`), or none, which reads as null.",
							Computed: true,
						},
					},
				},
			},
		},
	}
}

func (d *customEventsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *customEventsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg customEventsDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	account := d.data.adAccount(cfg.AdAccountID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	end := d.data.store.Begin(account)
	defer end()

	events, err := d.data.store.Events(ctx, account)
	if err != nil {
		resp.Diagnostics.Append(failure{op: opRead, adAccountID: account}.diagnose(err))
		return
	}

	sortEvents(events)
	cfg.ID = types.StringValue(account)
	cfg.AdAccountID = types.StringValue(account)
	cfg.Events = make([]customEventSummary, len(events))
	for i, e := range events {
		cfg.Events[i] = customEventSummary{
			Name:                 types.StringValue(e.Name),
			MappedConversionType: mappingValue(e.MappingType),
		}
	}

	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// sortEvents orders events by name without regard to case, then by the exact name, so
// that the order never depends on Pinterest's.
func sortEvents(events []pinterest.Event) {
	sort.SliceStable(events, func(i, j int) bool {
		a, b := pinterest.NameKey(events[i].Name), pinterest.NameKey(events[j].Name)
		if a != b {
			return a < b
		}
		return events[i].Name < events[j].Name
	})
}

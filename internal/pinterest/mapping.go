package pinterest

// MappingType is the standard Pinterest conversion event type that a custom event is
// mapped to. The zero value stands for a mapping the API reported as null.
type MappingType string

// The mapping types that create and update accept, in the order Pinterest documents them.
const (
	MappingSignup            MappingType = "SIGNUP"
	MappingAddToCart         MappingType = "ADD_TO_CART"
	MappingLead              MappingType = "LEAD"
	MappingCheckout          MappingType = "CHECKOUT"
	MappingSubscribe         MappingType = "SUBSCRIBE"
	MappingAddToWishlist     MappingType = "ADD_TO_WISHLIST"
	MappingAddPaymentInfo    MappingType = "ADD_PAYMENT_INFO"
	MappingInitiateCheckout  MappingType = "INITIATE_CHECKOUT"
	MappingContact           MappingType = "CONTACT"
	MappingCustomizeProduct  MappingType = "CUSTOMIZE_PRODUCT"
	MappingFindLocation      MappingType = "FIND_LOCATION"
	MappingSchedule          MappingType = "SCHEDULE"
	MappingSubmitApplication MappingType = "SUBMIT_APPLICATION"
	MappingStartTrial        MappingType = "START_TRIAL"
	MappingPageVisit         MappingType = "PAGE_VISIT"
	MappingViewCategory      MappingType = "VIEW_CATEGORY"
	MappingViewContent       MappingType = "VIEW_CONTENT"
	MappingSearch            MappingType = "SEARCH"
	MappingWatchVideo        MappingType = "WATCH_VIDEO"
)

// WritableMappingTypes lists every mapping type that create and update accept.
var WritableMappingTypes = []MappingType{
	MappingSignup, MappingAddToCart, MappingLead, MappingCheckout, MappingSubscribe,
	MappingAddToWishlist, MappingAddPaymentInfo, MappingInitiateCheckout, MappingContact,
	MappingCustomizeProduct, MappingFindLocation, MappingSchedule, MappingSubmitApplication,
	MappingStartTrial, MappingPageVisit, MappingViewCategory, MappingViewContent,
	MappingSearch, MappingWatchVideo,
}

// ReadOnlyMappingTypes lists the types the list call is known to return that create and
// update refuse. Reading tolerates any string, these included, and null.
var ReadOnlyMappingTypes = []MappingType{
	"PAGE_LOAD", "UNKNOWN", "INITIALIZED", "CUSTOM", "APP_INSTALL", "WEB_SESSION",
	"EXTERNAL_MEASUREMENT", "ADVERTISER_DEFINED_EVENT", "APP_OPEN",
}

// WritableMappingTypeStrings returns WritableMappingTypes as plain strings, for validators
// and documentation.
func WritableMappingTypeStrings() []string {
	out := make([]string, len(WritableMappingTypes))
	for i, t := range WritableMappingTypes {
		out[i] = string(t)
	}
	return out
}

// Writable reports whether create and update accept the mapping type.
func (t MappingType) Writable() bool {
	for _, w := range WritableMappingTypes {
		if t == w {
			return true
		}
	}
	return false
}

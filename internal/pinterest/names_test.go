package pinterest

import (
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr string
	}{
		{name: "one letter", input: "a"},
		{name: "one digit", input: "7"},
		{name: "one underscore", input: "_"},
		{name: "one hyphen", input: "-"},
		{name: "every allowed class", input: "Checkout_Step-2"},
		{name: "all lower letters", input: "abcdefghijklmnopqrstuvwxyz"},
		{name: "all upper letters", input: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
		{name: "all digits", input: "0123456789"},
		{name: "100 characters", input: strings.Repeat("x", 100)},
		{name: "empty", input: "", wantErr: "empty"},
		{name: "101 characters", input: strings.Repeat("x", 101), wantErr: "101"},
		{name: "space inside", input: "add to cart", wantErr: "' '"},
		{name: "leading space", input: " a", wantErr: "position 1"},
		{name: "trailing space", input: "a ", wantErr: "position 2"},
		{name: "dot", input: "checkout.step", wantErr: "'.'"},
		{name: "slash", input: "a/b", wantErr: "'/'"},
		{name: "comma", input: "a,b", wantErr: "','"},
		{name: "accented letter", input: "café", wantErr: "'é'"},
		{name: "non-latin letters", input: "注文", wantErr: "'注'"},
		{name: "emoji", input: "buy🛒", wantErr: "position 4"},
		{name: "newline", input: "a\nb", wantErr: `'\n'`},
		{name: "invalid UTF-8", input: "a\xffb", wantErr: "position 2"},
		{name: "fullwidth digit", input: "１", wantErr: "'１'"},
		{
			name:    "100 two-byte characters counted as characters",
			input:   strings.Repeat("é", 100),
			wantErr: "'é'",
		},
		{
			name:    "101 two-byte characters",
			input:   strings.Repeat("é", 101),
			wantErr: "this one has 101",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateName(tt.input)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("ValidateName(%q) = %v, want nil", tt.input, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidateName(%q) accepted it", tt.input)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ValidateName(%q) = %q, want it to mention %q", tt.input, err, tt.wantErr)
			}
		})
	}
}

func TestSameNameAndNameKey(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"Checkout_Step", "checkout_step", true},
		{"CHECKOUT_STEP", "checkout_step", true},
		{"a-b", "A-B", true},
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "abc_", false},
		{"a-b", "a_b", false},
		{"", "", true},
		{"", "a", false},
	}
	for _, tt := range tests {
		t.Run(tt.a+"|"+tt.b, func(t *testing.T) {
			if got := SameName(tt.a, tt.b); got != tt.same {
				t.Errorf("SameName(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.same)
			}
			if got := NameKey(tt.a) == NameKey(tt.b); got != tt.same {
				t.Errorf("NameKey(%q) == NameKey(%q) is %v, want %v", tt.a, tt.b, got, tt.same)
			}
		})
	}
}

func TestValidateAdAccountID(t *testing.T) {
	tests := []struct {
		name  string
		input string
		ok    bool
	}{
		{name: "one digit", input: "1", ok: true},
		{name: "typical", input: "549755885175", ok: true},
		{name: "leading zero", input: "007", ok: true},
		{name: "18 digits", input: strings.Repeat("9", 18), ok: true},
		{name: "19 digits", input: strings.Repeat("9", 19)},
		{name: "empty", input: ""},
		{name: "letters", input: "12ab"},
		{name: "hex prefix", input: "0x12"},
		{name: "negative", input: "-12"},
		{name: "plus sign", input: "+12"},
		{name: "leading space", input: " 12"},
		{name: "trailing space", input: "12 "},
		{name: "inner space", input: "1 2"},
		{name: "slash", input: "12/34"},
		{name: "decimal point", input: "12.0"},
		{name: "arabic-indic digits", input: "١٢"},
		{name: "fullwidth digits", input: "１２"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateAdAccountID(tt.input)
			if tt.ok && err != nil {
				t.Errorf("ValidateAdAccountID(%q) = %v, want nil", tt.input, err)
			}
			if !tt.ok && err == nil {
				t.Errorf("ValidateAdAccountID(%q) accepted it", tt.input)
			}
		})
	}
}

func TestWritableMappingTypes(t *testing.T) {
	documented := []MappingType{
		"SIGNUP", "ADD_TO_CART", "LEAD", "CHECKOUT", "SUBSCRIBE", "ADD_TO_WISHLIST",
		"ADD_PAYMENT_INFO", "INITIATE_CHECKOUT", "CONTACT", "CUSTOMIZE_PRODUCT",
		"FIND_LOCATION", "SCHEDULE", "SUBMIT_APPLICATION", "START_TRIAL", "PAGE_VISIT",
		"VIEW_CATEGORY", "VIEW_CONTENT", "SEARCH", "WATCH_VIDEO",
	}
	if len(WritableMappingTypes) != 19 {
		t.Fatalf("%d writable mapping types, want 19", len(WritableMappingTypes))
	}
	for i, mt := range documented {
		if WritableMappingTypes[i] != mt {
			t.Errorf("writable type %d is %q, want %q", i, WritableMappingTypes[i], mt)
		}
		if !mt.Writable() {
			t.Errorf("%q is not writable", mt)
		}
	}
	strs := WritableMappingTypeStrings()
	if len(strs) != len(documented) {
		t.Fatalf("WritableMappingTypeStrings has %d entries", len(strs))
	}
	for i, s := range strs {
		if s != string(documented[i]) {
			t.Errorf("WritableMappingTypeStrings()[%d] = %q, want %q", i, s, documented[i])
		}
	}
}

func TestMappingType_readOnlyAndUnknownAreNotWritable(t *testing.T) {
	notWritable := append([]MappingType{"", "lead", "Signup", "SIGNUP ", "QUANTUM_LEAP"},
		ReadOnlyMappingTypes...)
	if len(ReadOnlyMappingTypes) != 9 {
		t.Errorf("%d read-only mapping types, want 9", len(ReadOnlyMappingTypes))
	}
	for _, mt := range notWritable {
		if mt.Writable() {
			t.Errorf("%q is writable", mt)
		}
	}
}

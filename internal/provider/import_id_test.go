package provider

import (
	"strings"
	"testing"
)

func TestParseEventID(t *testing.T) {
	cases := []struct {
		id          string
		wantAccount string
		wantName    string
		wantErr     string
	}{
		{id: "549755885175/checkout_step", wantAccount: "549755885175", wantName: "checkout_step"},
		{id: "1/A", wantAccount: "1", wantName: "A"},
		{id: " 123/Lead-Form_2 ", wantAccount: "123", wantName: "Lead-Form_2"},
		{id: "123456789012345678/" + strings.Repeat("x", 100),
			wantAccount: "123456789012345678", wantName: strings.Repeat("x", 100)},
		{id: "", wantErr: "has no '/'"},
		{id: "checkout_step", wantErr: "has no '/'"},
		{id: "/checkout_step", wantErr: "not an ad account id"},
		{id: "12a/checkout_step", wantErr: "not an ad account id"},
		{id: "1234567890123456789/x", wantErr: "not an ad account id"},
		{id: "123/", wantErr: "not a custom event name"},
		{id: "123/check out", wantErr: "not a custom event name"},
		{id: "123/a/b", wantErr: "not a custom event name"},
		{id: "123/" + strings.Repeat("x", 101), wantErr: "not a custom event name"},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			account, name, err := parseEventID(tc.id)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("parseEventID(%q) = %q, %q; want an error", tc.id, account, name)
				}
				if !strings.Contains(err.Error(), tc.wantErr) ||
					!strings.Contains(err.Error(), "<ad_account_id>/<name>") {
					t.Errorf("error %q should contain %q and the expected form", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseEventID(%q): %v", tc.id, err)
			}
			if account != tc.wantAccount || name != tc.wantName {
				t.Errorf("parseEventID(%q) = %q, %q; want %q, %q", tc.id, account, name,
					tc.wantAccount, tc.wantName)
			}
			if got := eventID(account, name); got != strings.TrimSpace(tc.id) {
				t.Errorf("eventID does not round-trip: %q", got)
			}
		})
	}
}

func FuzzParseEventID(f *testing.F) {
	for _, seed := range []string{"549755885175/checkout_step", "", "/", "1//", "12/ä", "a/b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		account, name, err := parseEventID(id)
		if err != nil {
			return
		}
		if got := eventID(account, name); got != strings.TrimSpace(id) {
			t.Errorf("accepted %q but it does not round-trip: %q", id, got)
		}
	})
}

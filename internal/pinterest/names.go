package pinterest

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameLength is the longest custom event name Pinterest accepts.
const MaxNameLength = 100

// MaxEventsPerAdAccount is the number of custom events one ad account may hold.
const MaxEventsPerAdAccount = 15

// maxAdAccountIDLength is the number of digits an ad account id may have.
const maxAdAccountIDLength = 18

// ValidateName reports why name cannot be a custom event name, or nil when it can: 1 to
// 100 characters, each a letter, a digit, an underscore or a hyphen.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("a custom event name cannot be empty")
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return fmt.Errorf("a custom event name has at most %d characters; this one has %d",
			MaxNameLength, n)
	}
	for i, r := range name {
		if !isNameRune(r) {
			return fmt.Errorf("a custom event name may use only letters A-Z and a-z, digits, "+
				"'_' and '-'; %q at position %d is not allowed", r, i+1)
		}
	}
	return nil
}

func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '_' || r == '-'
}

// SameName reports whether two custom event names denote the same event. Pinterest
// compares names without regard to case.
func SameName(a, b string) bool {
	return strings.EqualFold(a, b)
}

// NameKey returns the form of a name under which case variants collide, for map keys.
func NameKey(name string) string {
	return strings.ToLower(name)
}

// ValidateAdAccountID reports why id cannot be an ad account id, or nil when it can:
// 1 to 18 decimal digits.
func ValidateAdAccountID(id string) error {
	if id == "" {
		return fmt.Errorf("an ad account id cannot be empty")
	}
	if len(id) > maxAdAccountIDLength {
		return fmt.Errorf("an ad account id has at most %d digits; %q has %d",
			maxAdAccountIDLength, id, len(id))
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return fmt.Errorf("an ad account id has only decimal digits; %q does not", id)
		}
	}
	return nil
}

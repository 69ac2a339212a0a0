package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// stateFile is what SaveState writes: the custom events and cloned flag of each ad account.
// Faults, latency, rate limits and tokens are deliberately left out.
type stateFile struct {
	Accounts map[string]stateAccount `json:"accounts"`
}

type stateAccount struct {
	Events []Event `json:"events"`
	Cloned bool    `json:"cloned,omitempty"`
}

// SaveState writes the state to path atomically: it goes to a temporary file in the same
// directory, is synced, and is renamed over path, so a reader never sees half a file.
func (e *Emulator) SaveState(path string) error {
	e.saveMu.Lock()
	defer e.saveMu.Unlock()

	return e.saveLocked(path)
}

// LoadState replaces the ad accounts with those saved in path. A missing file is an empty
// state, so a first run needs no setup.
func (e *Emulator) LoadState(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		e.mu.Lock()
		e.accounts = map[string]*adAccount{}
		e.mu.Unlock()
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading emulator state: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("decoding emulator state %s: %w", path, err)
	}

	accounts := map[string]*adAccount{}
	for id, sa := range st.Accounts {
		acct := &adAccount{cloned: sa.Cloned}
		for _, ev := range sa.Events {
			acct.events = append(acct.events, copyEvent(ev))
		}
		accounts[id] = acct
	}
	e.mu.Lock()
	e.accounts = accounts
	e.mu.Unlock()
	return nil
}

// autosave saves to the configured state path, if any.
func (e *Emulator) autosave() error {
	// saveMu is taken before the snapshot so that saves land in the order their snapshots
	// were taken and an older state never overwrites a newer one.
	e.saveMu.Lock()
	defer e.saveMu.Unlock()

	e.mu.Lock()
	path := e.statePath
	e.mu.Unlock()
	if path == "" {
		return nil
	}
	return e.saveLocked(path)
}

// saveLocked snapshots and writes the state. The caller holds e.saveMu.
func (e *Emulator) saveLocked(path string) error {
	e.mu.Lock()
	st := stateFile{Accounts: map[string]stateAccount{}}
	for id, acct := range e.accounts {
		st.Accounts[id] = stateAccount{Events: e.eventsLocked(id), Cloned: acct.cloned}
	}
	e.mu.Unlock()

	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding emulator state: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// writeFileAtomic replaces path with data so that readers see the old file or the new one,
// never a mix, even if the process dies half-way.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving emulator state: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()

	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("saving emulator state: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("saving emulator state: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("saving emulator state: %w", err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving emulator state: %w", err)
	}
	// Syncing the directory makes the rename itself durable; some platforms cannot, and the
	// file is complete either way.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

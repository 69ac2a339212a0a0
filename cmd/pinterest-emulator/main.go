// Command pinterest-emulator serves the in-memory Pinterest events API emulator over HTTP, so
// that scripts and manual Terraform runs can use the provider without the real service.
//
// Once listening it prints PINTEREST_BASE_URL=http://<addr>/v5 on stdout; point the provider's
// base URL at that value. It never prints the access token or any other secret.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/conversionops/terraform-provider-pinterest/internal/emulator"
)

// Environment variables that can stand in for flags, so secrets stay out of process listings.
const (
	envToken        = "PINTEREST_EMULATOR_TOKEN"
	envAppSecret    = "PINTEREST_EMULATOR_APP_SECRET"
	envRefreshToken = "PINTEREST_EMULATOR_REFRESH_TOKEN"
)

// shutdownTimeout bounds how long in-flight requests may delay exit.
const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pinterest-emulator:", err)
		os.Exit(1)
	}
}

// config holds the parsed command line.
type config struct {
	addr           string
	allowRemote    bool
	token          string
	statePath      string
	latency        time.Duration
	rateLimit      int
	rateWindow     time.Duration
	retryAfter     bool
	lowercaseNames bool
	cloned         string
	appID          string
	appSecret      string
	refreshToken   string
	seedEvents     string
	readyFile      string
}

// run serves the emulator until ctx ends, then saves the state and returns. It writes the
// base URL line to stdout once the listener is up.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	cfg, err := parseFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}

	emu, err := newEmulator(cfg)
	if err != nil {
		return err
	}
	defer emu.Close()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{Handler: emu, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	baseURL := "http://" + ln.Addr().String() + "/v5"
	if cfg.readyFile != "" {
		if err := writeReadyFile(cfg.readyFile, baseURL); err != nil {
			_ = srv.Close()
			return err
		}
		defer os.Remove(cfg.readyFile)
	}
	if _, err := fmt.Fprintf(stdout, "PINTEREST_BASE_URL=%s\n", baseURL); err != nil {
		_ = srv.Close()
		return fmt.Errorf("writing the base URL: %w", err)
	}

	select {
	case err := <-serveErr:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}

	// Hung and delayed requests would otherwise hold Shutdown until its timeout.
	emu.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if cfg.statePath != "" {
		if err := emu.SaveState(cfg.statePath); err != nil {
			return err
		}
	}
	return nil
}

// parseFlags reads the command line, falling back to the environment for secrets.
func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("pinterest-emulator", flag.ContinueOnError)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "listen address; port 0 picks a free port")
	fs.BoolVar(&cfg.allowRemote, "allow-remote", false, "allow listening on a non-loopback address")
	fs.StringVar(&cfg.token, "token", "", "access token to accept (or env "+envToken+")")
	fs.StringVar(&cfg.statePath, "state", "", "file to load the state from and save it to")
	fs.DurationVar(&cfg.latency, "latency", 0, "latency added to every API request")
	fs.IntVar(&cfg.rateLimit, "rate-limit", 0, "API requests allowed per token and window; 0 = none")
	fs.DurationVar(&cfg.rateWindow, "rate-window", time.Minute, "rate-limit window")
	fs.BoolVar(&cfg.retryAfter, "retry-after", true, "send Retry-After on rate-limited answers")
	fs.BoolVar(&cfg.lowercaseNames, "lowercase-names", false, "list event names lower-cased")
	fs.StringVar(&cfg.cloned, "cloned", "", "comma-separated ad account ids to treat as cloned")
	fs.StringVar(&cfg.appID, "app-id", "", "OAuth app id for the token endpoint")
	fs.StringVar(&cfg.appSecret, "app-secret", "",
		"OAuth app secret (or env "+envAppSecret+")")
	fs.StringVar(&cfg.refreshToken, "refresh-token", "",
		"refresh token the token endpoint accepts (or env "+envRefreshToken+")")
	fs.StringVar(&cfg.seedEvents, "seed-events", "",
		`JSON file {"<ad account id>":[{"name":..,"mapped_conversion_type":..}]} to seed`)
	fs.StringVar(&cfg.readyFile, "ready-file", "", "file to write the base URL to once listening")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}

	if cfg.token == "" {
		cfg.token = os.Getenv(envToken)
	}
	if cfg.token == "" {
		return cfg, fmt.Errorf("an access token is required: set -token or %s", envToken)
	}
	if cfg.appSecret == "" {
		cfg.appSecret = os.Getenv(envAppSecret)
	}
	if cfg.refreshToken == "" {
		cfg.refreshToken = os.Getenv(envRefreshToken)
	}
	oauthSet := 0
	for _, v := range []string{cfg.appID, cfg.appSecret, cfg.refreshToken} {
		if v != "" {
			oauthSet++
		}
	}
	if oauthSet != 0 && oauthSet != 3 {
		return cfg, errors.New("-app-id, -app-secret and -refresh-token go together: set all or none")
	}
	if cfg.rateLimit < 0 {
		return cfg, errors.New("-rate-limit must not be negative")
	}
	if !cfg.allowRemote {
		if err := checkLoopback(cfg.addr); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// checkLoopback refuses addresses that other machines could reach, because the emulator
// accepts a well-known token and has unauthenticated admin routes.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid -addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to listen on non-loopback address %q; use -allow-remote to do so",
		addr)
}

// newEmulator builds the emulator the flags describe, loading and seeding its state.
func newEmulator(cfg config) (*emulator.Emulator, error) {
	emu := emulator.New(emulator.Options{Token: cfg.token})
	if cfg.statePath != "" {
		if err := emu.LoadState(cfg.statePath); err != nil {
			return nil, err
		}
	}
	if cfg.seedEvents != "" {
		if err := seedEvents(emu, cfg.seedEvents); err != nil {
			return nil, err
		}
	}
	for _, id := range strings.Split(cfg.cloned, ",") {
		if id = strings.TrimSpace(id); id != "" {
			emu.SetCloned(id, true)
		}
	}
	if cfg.statePath != "" {
		// Save once now so the file reflects seeding and cloned flags from the start.
		if err := emu.SaveState(cfg.statePath); err != nil {
			return nil, err
		}
		emu.SetStatePath(cfg.statePath)
	}

	emu.SetLatency(cfg.latency)
	emu.SetRateLimit(cfg.rateLimit, cfg.rateWindow, cfg.retryAfter)
	emu.SetLowercaseNames(cfg.lowercaseNames)
	if cfg.appID != "" {
		emu.SetOAuthApp(cfg.appID, cfg.appSecret, cfg.refreshToken)
	}
	return emu, nil
}

// seedEvents stores the events of a seed file, which bypass validation like Emulator.Seed.
func seedEvents(emu *emulator.Emulator, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading seed events: %w", err)
	}
	var seed map[string][]emulator.Event
	if err := json.Unmarshal(data, &seed); err != nil {
		return fmt.Errorf("decoding seed events %s: %w", path, err)
	}

	ids := make([]string, 0, len(seed))
	for id := range seed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		emu.Seed(id, seed[id]...)
	}
	return nil
}

// writeReadyFile writes the base URL through a rename, so a script polling for the file
// never reads it half-written.
func writeReadyFile(path, baseURL string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing ready file: %w", err)
	}
	_, werr := tmp.WriteString(baseURL)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing ready file: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing ready file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing ready file: %w", err)
	}
	return nil
}

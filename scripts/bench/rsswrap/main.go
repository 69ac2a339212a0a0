// Command rsswrap runs another program in its place and records what that program used:
// its peak memory and its CPU time. The benchmark installs it as the provider binary that
// Terraform starts, so that every provider process Terraform starts during a command
// leaves its figures behind.
//
// RSSWRAP_EXEC names the program to run; rsswrap passes it its own arguments, environment
// and standard streams unchanged (Terraform's plugin handshake is read from the provider's
// standard output), and forwards the signals it receives. When the program exits, rsswrap
// appends one line to the file named by RSSWRAP_OUT, if set: the program's maximum
// resident set size in KiB and its user plus system CPU time in seconds, separated by a
// space. Then it exits with the program's status.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
)

// Environment variables that tell rsswrap what to run and where to record.
const (
	envExec = "RSSWRAP_EXEC"
	envOut  = "RSSWRAP_OUT"
)

func main() {
	os.Exit(run())
}

// run starts the program, waits for it, records its peak memory and returns the exit
// status rsswrap should end with.
func run() int {
	target := os.Getenv(envExec)
	if target == "" {
		fmt.Fprintf(os.Stderr, "rsswrap: %s must name the program to run\n", envExec)
		return 2
	}

	cmd := exec.Command(target, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr

	// Subscribe before the start, so that no signal falls between the two.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "rsswrap: starting %s: %v\n", target, err)
		return 127
	}
	go func() {
		for sig := range signals {
			_ = cmd.Process.Signal(sig)
		}
	}()

	err := cmd.Wait()
	signal.Stop(signals)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		fmt.Fprintf(os.Stderr, "rsswrap: waiting for %s: %v\n", target, err)
		return 1
	}

	if out := os.Getenv(envOut); out != "" {
		ps := cmd.ProcessState
		cpu := (ps.UserTime() + ps.SystemTime()).Seconds()
		if err := record(out, maxRSSKiB(ps), cpu); err != nil {
			fmt.Fprintf(os.Stderr, "rsswrap: %v\n", err)
		}
	}
	return exitStatus(cmd.ProcessState)
}

// maxRSSKiB returns the peak resident set size of the exited process in KiB, or 0 when
// the system does not report it.
func maxRSSKiB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	// Linux reports KiB; macOS reports bytes.
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) / 1024 //nolint:unconvert // Maxrss is int32 on 32-bit platforms.
	}
	return int64(ru.Maxrss) //nolint:unconvert // Maxrss is int32 on 32-bit platforms.
}

// record appends one line to the file. Several provider processes may end at the same
// moment; a single short append is written whole.
func record(path string, kib int64, cpuSeconds float64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("recording peak memory: %w", err)
	}
	_, werr := fmt.Fprintf(f, "%d %.3f\n", kib, cpuSeconds)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("recording peak memory in %s: %w", path, err)
	}
	return nil
}

// exitStatus returns the program's exit code, or 128 plus the signal that ended it, as
// a shell would report it.
func exitStatus(ps *os.ProcessState) int {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

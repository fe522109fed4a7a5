// Times go-pfcp, go-gtp and free5gc/nas on the shared vectors for benchmarks/codec-speed.bench.ts
// (issue 22); built by benchmarks/peers/build.sh in GOPATH mode, outside the repository. Each
// peer first re-encodes its vector byte-exact or the program stops; then best of 5 rounds of
// 20,000 calls, process CPU time (getrusage), one JSON object of name -> ns per call.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/free5gc/nas"
	gtpmsg "github.com/wmnsk/go-gtp/gtpv1/message"
	"github.com/wmnsk/go-pfcp/message"
)

func cpuNs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano() + ru.Stime.Nano())
}

func vec(dir, name string) []byte {
	b, err := os.ReadFile(dir + "/" + name)
	if err != nil {
		panic(err)
	}
	s := strings.Map(func(r rune) rune {
		if strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return r
		}
		return -1
	}, string(b))
	out, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return out
}

type task struct {
	name string
	fn   func()
}

var sink int

func main() {
	dir := os.Args[1]
	rounds := 5
	const calls = 20000
	tasks := []task{}
	buf := make([]byte, 4096)
	pf := func(name, file string, extra []byte) {
		b := extra
		if b == nil {
			b = vec(dir, file)
		}
		m, err := message.Parse(b)
		if err != nil {
			panic(err)
		}
		n := m.MarshalLen()
		if err := m.MarshalTo(buf); err != nil || !bytes.Equal(buf[:n], b) {
			fmt.Fprintf(os.Stderr, "go-pfcp %s: not byte-exact (%v)\n", name, err)
			os.Exit(1)
		}
		tasks = append(tasks, task{"pfcp decode " + name, func() {
			x, _ := message.Parse(b)
			if x != nil {
				sink++
			}
		}})
		tasks = append(tasks, task{"pfcp encode " + name, func() {
			m.MarshalTo(buf)
		}})
	}
	pf("SessionEstablishmentRequest", "pfcp_sessionestablishmentrequest.hex", nil)
	pf("SessionDeletionRequest", "pfcp_sessiondeletionrequest.hex", nil)
	pf("SessionDeletionResponse", "pfcp_sessiondeletionresponse.hex", nil)
	if len(os.Args) > 2 {
		ur, _ := hex.DecodeString(os.Args[2])
		pf("SessionDeletionResponse with Usage Report", "", ur)
	}
	// typed structs
	sdr := vec(dir, "pfcp_sessiondeletionrequest.hex")
	tasks = append(tasks, task{"pfcp decode SessionDeletionRequest (typed struct)", func() {
		x, _ := message.ParseSessionDeletionRequest(sdr)
		if x != nil {
			sink++
		}
	}})
	sdp := vec(dir, "pfcp_sessiondeletionresponse.hex")
	tasks = append(tasks, task{"pfcp decode SessionDeletionResponse (typed struct)", func() {
		x, _ := message.ParseSessionDeletionResponse(sdp)
		if x != nil {
			sink++
		}
	}})

	g := vec(dir, "gtpu_gpdu_pdusc_1400.hex")
	h := &gtpmsg.Header{}
	if err := h.UnmarshalBinary(g); err != nil {
		panic(err)
	}
	gout := make([]byte, len(g)+64)
	if err := h.MarshalTo(gout); err != nil || !bytes.Equal(gout[:h.MarshalLen()], g) {
		fmt.Fprintf(os.Stderr, "go-gtp: not byte-exact (%v)\n", err)
		os.Exit(1)
	}
	h2 := &gtpmsg.Header{}
	tasks = append(tasks, task{"gtpu decode G-PDU 1400 B (UnmarshalBinary, reused header)", func() {
		h2.UnmarshalBinary(g)
	}})
	tasks = append(tasks, task{"gtpu encode G-PDU 1400 B (MarshalTo, reused buffer)", func() {
		h.MarshalTo(gout)
	}})
	// the payload copy MarshalTo ends with, alone: the floor of the encode row on each side
	hlen := h.MarshalLen() - len(h.Payload)
	tasks = append(tasks, task{"gtpu copy G-PDU 1400 B T-PDU alone (copy into reused buffer)", func() {
		copy(gout[hlen:], h.Payload)
	}})

	rr := vec(dir, "nas_registrationrequest.hex")
	nm := new(nas.Message)
	rr2 := append([]byte{}, rr...)
	if err := nm.PlainNasDecode(&rr2); err != nil {
		panic(err)
	}
	enc, err := nm.PlainNasEncode()
	if err != nil || !bytes.Equal(enc, rr) {
		fmt.Fprintf(os.Stderr, "free5gc/nas: not byte-exact (%v) %x\n", err, enc)
		os.Exit(1)
	}
	tasks = append(tasks, task{"nas decode RegistrationRequest", func() {
		b := rr
		x := new(nas.Message)
		x.PlainNasDecode(&b)
	}})
	tasks = append(tasks, task{"nas encode RegistrationRequest", func() {
		b, _ := nm.PlainNasEncode()
		sink += len(b)
	}})

	best := make([]float64, len(tasks))
	for i := range best {
		best[i] = 1e18
	}
	for _, t := range tasks {
		for i := 0; i < calls; i++ {
			t.fn()
		}
	}
	for r := 0; r < rounds; r++ {
		for j, t := range tasks {
			t0 := cpuNs()
			for i := 0; i < calls; i++ {
				t.fn()
			}
			d := (cpuNs() - t0) / calls
			if d < best[j] {
				best[j] = d
			}
		}
	}
	out := map[string]float64{}
	for j, t := range tasks {
		out[t.name] = float64(int(best[j]*10)) / 10
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

package janus

import (
	"errors"
	"testing"
	"time"

	jt "github.com/streamchain/streamchain/testutil/janus"
)

// TestCascadeToSecondInstance cascades a room from Janus A to Janus B with
// the VideoRoom's remote publishers: the broadcaster publishes once, on A;
// a viewer on A and a viewer on B (subscribed to B's remote publisher) both
// receive; the broadcaster's upload is the same as with A's viewer alone.
// Then A is SIGKILLed: B's viewer stops receiving (the relay came from A),
// which is why failover re-publishes on B.
func TestCascadeToSecondInstance(t *testing.T) {
	ns := jt.NewNetNS(t)
	a := newFixture(t, jt.Options{NS: ns, Name: "janus-a"})
	b := newFixture(t, jt.Options{NS: ns, Name: "janus-b"})
	ctx := testContext(t)
	api := jt.LocalAPI()

	roomA := a.newRoom(t)
	roomB := b.newRoom(t)
	snd, _, joined, _ := a.publish(t, api, roomA)
	viewerA, _, _ := a.subscribe(t, api, roomA, joined.ID)
	waitPackets(t, viewerA, 30, 20*time.Second)
	alone := uploadPerFrame(snd, 2*time.Second)

	remote, err := b.admin.AddRemotePublisher(ctx, roomB.ID, roomB.Secret, "broadcaster (from A)", ns.NSIP,
		[]RemoteStream{{Type: "video", MIndex: 0, MID: "0", Codec: "vp8"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.admin.PublishRemotely(ctx, roomA.ID, roomA.Secret, joined.ID, "to-b", *remote); err != nil {
		t.Fatal(err)
	}
	viewerB, _, _ := b.subscribe(t, api, roomB, remote.ID)
	waitPackets(t, viewerB, 30, 20*time.Second)
	cascaded := uploadPerFrame(snd, 2*time.Second)
	t.Logf("broadcaster upload: %.0f B/frame with one viewer on A, %.0f B/frame with a second viewer on B through the cascade", alone, cascaded)
	if cascaded > 1.25*alone {
		t.Errorf("the broadcaster's upload grew %.2fx when the room was cascaded to B", cascaded/alone)
	}
	ps, err := b.admin.Participants(ctx, roomB.ID)
	if err != nil || len(ps) != 1 || ps[0].ID != remote.ID || !ps[0].Publisher {
		t.Fatalf("B's participants %+v (%v), want the remote publisher %d", ps, err, remote.ID)
	}

	// Wrong room secret: the cascade is refused on both ends.
	if _, err := b.admin.AddRemotePublisher(ctx, roomB.ID, "wrong", "x", ns.NSIP, []RemoteStream{{Type: "video", MID: "0", Codec: "vp8"}}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("add_remote_publisher with a wrong secret: %v, want ErrUnauthorized", err)
	}
	if err := a.admin.PublishRemotely(ctx, roomA.ID, "wrong", joined.ID, "x", *remote); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("publish_remotely with a wrong secret: %v, want ErrUnauthorized", err)
	}

	a.srv.Kill()
	time.Sleep(500 * time.Millisecond)
	n := viewerB.Packets.Load()
	time.Sleep(time.Second)
	if got := viewerB.Packets.Load() - n; got > 0 {
		t.Errorf("B's viewer got %d packets after A died: where from?", got)
	}
	if err := b.admin.RemoveRemotePublisher(ctx, roomB.ID, roomB.Secret, remote.ID); err != nil {
		t.Fatal(err)
	}
}

#!/usr/bin/perl
# nft-listen: the netfilter counterpart of `ip monitor all-nsid` (which has no netfilter):
# ONE netlink socket in the helper's namespace joins the nf_tables notification
# group with NETLINK_LISTEN_ALL_NSID, so the kernel tells it about every
# nf_tables change (iptables-nft included) in this namespace and in every
# namespace that has an nsid here. For each message it prints one line naming
# where the change happened: `nsid N`, or `current` for its own namespace; the
# helper re-reads that namespace's NAT table. `overrun` when the kernel dropped
# messages. No arguments, no input: nothing from requests reaches it.
# A socket of our own namespace keeps no other namespace alive.
use strict;
use warnings;
use Socket qw(SOCK_RAW);
use POSIX ();

use constant { AF_NETLINK => 16, NETLINK_NETFILTER => 12, SOL_NETLINK => 270 };
use constant { NETLINK_ADD_MEMBERSHIP => 1, NETLINK_LISTEN_ALL_NSID => 8, NFNLGRP_NFTABLES => 7 };
use constant { ENOBUFS => 105, EINTR => 4 };

# recvmsg(2) is the only way to the nsid (a control message); core perl has no recvmsg
my %RECVMSG = (x86_64 => 47, aarch64 => 212, riscv64 => 212, ppc64le => 342, s390x => 372);
my $arch = (POSIX::uname())[4];
my $SYS_recvmsg = $RECVMSG{$arch} // die "nft-listen: unknown architecture $arch\n";

socket(my $s, AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER) or die "nft-listen: socket: $!\n";
bind($s, pack('S x2 L L', AF_NETLINK, 0, 0)) or die "nft-listen: bind: $!\n";
setsockopt($s, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, pack('i', NFNLGRP_NFTABLES)) or die "nft-listen: join group: $!\n";
setsockopt($s, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, pack('i', 1)) or die "nft-listen: all-nsid: $!\n";

$| = 1;
print "ready\n";

my $P = length pack('L!', 0);                        # pointer / size_t size
my $align = sub { my $n = shift; ($n + $P - 1) & ~($P - 1) };
my $CMSG_HDR = $align->($P + 8);                      # cmsg_len, cmsg_level, cmsg_type
my $buf = "\0" x 65536;                              # never resized: the kernel writes into it
my $cbuf = "\0" x 256;
my $iov = pack('p L!', $buf, length $buf);
while (1) {
  # struct msghdr: name, namelen, iov, iovlen, control, controllen, flags
  my $msg = pack('L! L x![p] p L! p L! i x![p]', 0, 0, $iov, 1, $cbuf, length $cbuf, 0);
  my $n = syscall($SYS_recvmsg, fileno($s), $msg, 0);
  if ($n < 0) {
    my $err = $! + 0;
    next if $err == EINTR;
    if ($err == ENOBUFS) { print "overrun\n"; next; }
    die "nft-listen: recvmsg: $!\n";
  }
  my $clen = unpack('L!', substr($msg, 5 * $P, $P));
  my $where = 'current';
  for (my $off = 0; $off + $CMSG_HDR <= $clen;) {
    my ($len, $level, $type) = unpack('L! i i', substr($cbuf, $off, $P + 8));
    last if $len < $CMSG_HDR;
    $where = 'nsid ' . unpack('i', substr($cbuf, $off + $CMSG_HDR, 4)) if $level == SOL_NETLINK && $type == NETLINK_LISTEN_ALL_NSID;
    $off += $align->($len);
  }
  print "$where\n";
}

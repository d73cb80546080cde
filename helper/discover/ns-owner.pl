#!/usr/bin/perl
# Which user namespace owns a network namespace (ioctl NS_GET_USERNS on its file),
# and running a program in one with no more privilege than its owner (issue 15).
# A namespace created by `unshare -Urn` belongs to an unprivileged user: root
# tools run there by nsenter alone would parse what that user wrote, with all of
# root's capabilities. Entering the owning user namespace first (nsenter --user,
# which also takes its uid 0, that is, the owner) leaves the program the owner's
# capabilities, inside that namespace only.
#   --list          paths NUL-separated on stdin; prints "own|foreign|gone<TAB>path" per path
#   --exec NSENTER PATH ARGV...   exec NSENTER --net=PATH ARGV, with --user=OWNER when the owner is not ours
# The --exec check is made at exec time, on the very file opened: no window for a swap.
# No shell; paths come from the helper's own listing.
use strict;
use warnings;
use Fcntl qw(F_SETFD);
use POSIX ();

my $NS_GET_USERNS = 0xb701;
my $own = (stat '/proc/self/ns/user')[1];

# (inode of the owning user namespace, its fd) of an open namespace file, or () when the kernel will not say
sub owner_of {
  my ($fh) = @_;
  my $r = ioctl($fh, $NS_GET_USERNS, 0);
  return () unless defined $r;
  my $fd = $r eq '0 but true' ? 0 : $r + 0;
  return ((stat "/proc/self/fd/$fd")[1], $fd);
}

my $mode = shift @ARGV // '';
if ($mode eq '--list') {
  local $/ = "\0";
  while (my $path = <STDIN>) {
    chomp $path;
    next unless length $path;
    my $what = 'gone';
    if (open(my $fh, '<', $path)) {
      my ($ino, $fd) = owner_of($fh);
      # EPERM (the owner is an ancestor of ours) is foreign too; only our own user namespace is "own"
      $what = defined $ino && $ino == $own ? 'own' : 'foreign';
      POSIX::close($fd) if defined $fd;
      close $fh;
    }
    print "$what\t$path\n";
  }
  exit 0;
}
if ($mode eq '--exec') {
  my ($NSENTER, $path, @argv) = @ARGV;
  die "ns-owner: --exec NSENTER PATH PROGRAM [ARG...]\n" unless defined $path && @argv && $NSENTER =~ m{^/};
  # the message nsenter itself prints, so callers tell a vanished namespace the same way
  open(my $fh, '<', $path) or do { print STDERR "nsenter: cannot open $path: $!\n"; exit 1 };
  my ($ino, $fd) = owner_of($fh);
  die "ns-owner: cannot tell who owns $path: $!\n" unless defined $ino;
  exec { $NSENTER } $NSENTER, "--net=$path", @argv if $ino == $own;
  open(my $user, '<&=', $fd) or die "ns-owner: $!\n";
  fcntl($user, F_SETFD, 0) or die "ns-owner: $!\n"; # nsenter opens it as /proc/self/fd/N
  exec { $NSENTER } $NSENTER, "--user=/proc/self/fd/$fd", "--net=$path", @argv;
  die "ns-owner: exec $NSENTER: $!\n";
}
die "ns-owner: --list | --exec NSENTER PATH PROGRAM [ARG...]\n";

#include "tests/nemesis/nemeses.h"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

namespace paxoskv::nemesis {

namespace {

using std::chrono::milliseconds;
using Schedule = std::function<void(FaultInjector&, std::mt19937&, Clock::time_point)>;

milliseconds between(std::mt19937& random, milliseconds low, milliseconds high) {
  return milliseconds(std::uniform_int_distribution<long>(low.count(), high.count())(random));
}

int any_replica(const FaultInjector& faults, std::mt19937& random) {
  const auto ids = faults.ids();
  return ids[std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(random)];
}

Group others(const FaultInjector& faults, const Group& group) {
  Group rest;
  for (const int id : faults.ids()) {
    if (!group.count(id)) rest.insert(id);
  }
  return rest;
}

// A random minority (as large as can be) and the majority.
std::vector<Group> majority_split(const FaultInjector& faults, std::mt19937& random) {
  auto ids = faults.ids();
  std::shuffle(ids.begin(), ids.end(), random);
  const std::size_t minority = (ids.size() - 1) / 2;
  Group small(ids.begin(), ids.begin() + static_cast<long>(minority));
  return {small, others(faults, small)};
}

void isolate_one(FaultInjector& faults, std::mt19937& random, milliseconds length) {
  const Group alone = {any_replica(faults, random)};
  faults.partition({alone, others(faults, alone)}, "partition-one");
  faults.wait(length);
  faults.heal_network();
}

void split_majority(FaultInjector& faults, std::mt19937& random, milliseconds length,
                    std::string_view kind) {
  faults.partition(majority_split(faults, random), kind);
  faults.wait(length);
  faults.heal_network();
}

void cut_one_way(FaultInjector& faults, std::mt19937& random, milliseconds length) {
  const Group one = {any_replica(faults, random)};
  if (random() % 2) {
    faults.one_way(others(faults, one), one);  // it hears nobody, everyone hears it
  } else {
    faults.one_way(one, others(faults, one));  // nobody hears it, it hears everyone
  }
  faults.wait(length);
  faults.heal_network();
}

void pause_one(FaultInjector& faults, std::mt19937& random, milliseconds length) {
  const int id = any_replica(faults, random);
  faults.pause(id);
  faults.wait(length);
  faults.resume(id);
}

void kill_one(FaultInjector& faults, std::mt19937& random, milliseconds down) {
  const int id = any_replica(faults, random);
  faults.kill(id);
  faults.wait(down);
  faults.restart(id);
}

void fill_one_disk(FaultInjector& faults, std::mt19937& random, milliseconds length) {
  const int id = any_replica(faults, random);
  faults.fill_disk(id);
  faults.wait(length);
  faults.free_disk(id);
  faults.restart(id);  // if it exited meanwhile
}

const std::map<std::string, Schedule, std::less<>>& schedules() {
  static const std::map<std::string, Schedule, std::less<>> kSchedules = {
      {"partition-one",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           isolate_one(faults, random, between(random, milliseconds(10'000), milliseconds(14'000)));
           faults.wait(milliseconds(2'000));
         }
       }},
      {"partition-majority",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           split_majority(faults, random,
                          between(random, milliseconds(10'000), milliseconds(14'000)),
                          "partition-majority");
           faults.wait(milliseconds(2'000));
         }
       }},
      {"partition-one-way",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           cut_one_way(faults, random, between(random, milliseconds(10'000), milliseconds(14'000)));
           faults.wait(milliseconds(2'000));
         }
       }},
      {"partition-flapping",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           switch (random() % 4) {
             case 0:
               faults.heal_network();
               break;
             case 1: {
               const Group alone = {any_replica(faults, random)};
               faults.partition({alone, others(faults, alone)}, "flap");
               break;
             }
             case 2:
               faults.partition(majority_split(faults, random), "flap");
               break;
             default: {
               const Group one = {any_replica(faults, random)};
               faults.one_way(others(faults, one), one);
               break;
             }
           }
           faults.wait(between(random, milliseconds(300), milliseconds(1'500)));
         }
         faults.heal_network();
       }},
      {"partition-long",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           split_majority(faults, random, milliseconds(25'000), "partition-long");
           faults.wait(milliseconds(3'000));
         }
       }},
      {"pause",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           pause_one(faults, random, between(random, milliseconds(2'000), milliseconds(12'000)));
           faults.wait(milliseconds(2'000));
         }
       }},
      {"kill",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           kill_one(faults, random, between(random, milliseconds(500), milliseconds(5'000)));
           faults.wait(between(random, milliseconds(1'000), milliseconds(4'000)));
         }
       }},
      {"kill-all",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           faults.wait(between(random, milliseconds(2'000), milliseconds(6'000)));
           for (const int id : faults.ids()) faults.kill(id);
           faults.wait(milliseconds(1'000));
           for (const int id : faults.ids()) faults.restart(id);
         }
       }},
      {"disk-full",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           fill_one_disk(faults, random,
                         between(random, milliseconds(8'000), milliseconds(12'000)));
           faults.wait(milliseconds(3'000));
         }
       }},
      {"mixed",
       [](FaultInjector& faults, std::mt19937& random, Clock::time_point until) {
         while (Clock::now() < until) {
           const milliseconds length = between(random, milliseconds(2'000), milliseconds(12'000));
           switch (random() % 6) {
             case 0:
               isolate_one(faults, random, length);
               break;
             case 1:
               split_majority(faults, random, length, "partition-majority");
               break;
             case 2:
               cut_one_way(faults, random, length);
               break;
             case 3:
               pause_one(faults, random, length);
               break;
             case 4:
               kill_one(faults, random, length / 2);
               break;
             default:
               fill_one_disk(faults, random, length);
               break;
           }
           faults.wait(between(random, milliseconds(500), milliseconds(3'000)));
         }
       }},
  };
  return kSchedules;
}

}  // namespace

const std::vector<NemesisInfo>& all_nemeses() {
  static const std::vector<NemesisInfo> kAll = {
      {"partition-one", "one replica cut off both ways for 10-14 s, repeatedly"},
      {"partition-majority", "a random minority cut off from the majority for 10-14 s"},
      {"partition-one-way", "one replica hears nobody, or nobody hears it, for 10-14 s"},
      {"partition-flapping", "a new random partition (or none) every 0.3-1.5 s"},
      {"partition-long", "a minority cut off for 25 s"},
      {"pause", "SIGSTOP one replica for 2-12 s, then SIGCONT"},
      {"kill", "kill -9 one replica, restart it after 0.5-5 s"},
      {"kill-all", "kill -9 every replica at once, restart them all after 1 s"},
      {"disk-full", "one replica's data dir (a small tmpfs) full for 8-12 s"},
      {"mixed", "a random fault of the kinds above, one after another"},
  };
  return kAll;
}

bool is_nemesis(std::string_view name) {
  return schedules().find(name) != schedules().end();
}

void run_nemesis(std::string_view name, FaultInjector& faults, std::mt19937& random,
                 Clock::time_point until) {
  const auto found = schedules().find(name);
  if (found == schedules().end()) {
    throw std::invalid_argument("unknown nemesis " + std::string(name));
  }
  found->second(faults, random, until);
}

void run_wipe_data_dir(FaultInjector& faults) {
  const auto ids = faults.ids();
  const std::size_t minority_size = (ids.size() - 1) / 2;
  const Group minority(ids.end() - static_cast<long>(minority_size), ids.end());
  const Group majority = others(faults, minority);
  const int wiped = *majority.begin();
  Group rest_of_majority = majority;
  rest_of_majority.erase(wiped);

  // Writes are acknowledged by the majority alone.
  faults.partition({minority, majority}, "partition-majority");
  faults.wait(milliseconds(6'000));
  // One of them loses its disk and comes back, hearing nobody: it founds the cluster anew.
  faults.kill_and_wipe(wiped);
  faults.partition({minority, {wiped}, rest_of_majority}, "partition");
  faults.restart(wiped);
  // It and the old minority are a majority that never saw those writes.
  Group new_majority = minority;
  new_majority.insert(wiped);
  faults.partition({new_majority, rest_of_majority}, "partition-majority");
  faults.wait(milliseconds(8'000));
  faults.heal_network();
}

void run_wipe_all(FaultInjector& faults) {
  faults.wait(milliseconds(5'000));
  for (const int id : faults.ids()) faults.kill_and_wipe(id);
  for (const int id : faults.ids()) faults.restart(id);
  faults.wait(milliseconds(3'000));
}

}  // namespace paxoskv::nemesis

// Placeholder until the all-in-one server lands.
int main() { return 1; }

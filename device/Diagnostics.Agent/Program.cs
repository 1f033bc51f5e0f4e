// Placeholder until the agent host lands.
return 0;

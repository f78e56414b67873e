global using Xunit;
global using AkkaBroker.Actors;
